/**
 * The vector store and its embedding cache in one Lucene index: {@link
 * dev.embedstore.lucene.LuceneVectorStore} (documents, HNSW kNN, BM25, hybrid search, filters,
 * rebuild, migrate, upgrade), {@link dev.embedstore.lucene.LuceneEmbeddingCache} (the cache, also
 * usable alone; export and import as {@code .npy}) and {@link dev.embedstore.lucene.StoreCheck}
 * (integrity checks and salvage of a damaged store).
 *
 * <pre>{@code
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     LuceneVectorStore store = LuceneVectorStore.open(Path.of("notes-store"), model)) {
 *   store.upsert(List.of(Document.of("n1", "Prune tomato side shoots weekly in summer.")));
 *   for (SearchHit hit : store.search(SearchRequest.of("tomato care", 5))) {
 *     System.out.println(hit.id() + " " + hit.score());
 *   }
 *   store.rebuild(store.config().withQuantization(Quantization.INT8)); // no model calls
 * }
 * if (!StoreCheck.check(Path.of("notes-store"), false).sound()) {
 *   StoreCheck.salvageVectors(Path.of("notes-store"), null, Path.of("vectors.npy"));
 * }
 * }</pre>
 */
package dev.embedstore.lucene;
