/**
 * The store on SolrCloud: {@link dev.embedstore.solr.SolrVectorStore}, its cache {@link
 * dev.embedstore.solr.SolrEmbeddingCache}, and {@link dev.embedstore.solr.SolrStoreConfig}.
 *
 * <pre>{@code
 * SolrStoreConfig config =
 *     SolrStoreConfig.builder(List.of("http://127.0.0.1:8983/solr"), "notes").build();
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     SolrVectorStore store = SolrVectorStore.open(config, model)) {
 *   store.upsert(List.of(Document.of("a", "Solr is a search server.")));
 *   for (SearchHit hit : store.search(SearchRequest.of("what is solr", 5))) {
 *     System.out.println(hit.id() + " " + hit.score());
 *   }
 * }
 * }</pre>
 */
package dev.embedstore.solr;
