/**
 * Embedstore for langchain4j: a persistent {@code EmbeddingStore}, a persistent cache for any
 * {@code EmbeddingModel}, and the bundled ONNX models as an {@code EmbeddingModel}.
 *
 * <pre>{@code
 * try (CachedEmbeddingModel model =
 *         CachedEmbeddingModel.builder().delegate(remoteModel).cacheFolder(Path.of("vectors")).build();
 *     EmbedstoreEmbeddingStore store =
 *         EmbedstoreEmbeddingStore.builder().folder(Path.of("segments")).build()) {
 *   EmbeddingStoreIngestor.builder()
 *       .documentSplitter(DocumentSplitters.recursive(300, 30))
 *       .embeddingModel(model)
 *       .embeddingStore(store)
 *       .build()
 *       .ingest(documents); // a second run asks the remote model for nothing
 *   List<EmbeddingMatch<TextSegment>> hits =
 *       store.search(EmbeddingSearchRequest.builder()
 *           .queryEmbedding(model.embed("what is lucene").content())
 *           .filter(metadataKey("year").isGreaterThanOrEqualTo(2020))
 *           .maxResults(5)
 *           .build()).matches();
 * }
 * }</pre>
 *
 * <p>{@link dev.embedstore.langchain4j.EmbedstoreEmbeddingStore} stores any model's embeddings;
 * {@link dev.embedstore.langchain4j.CachedEmbeddingModel} caches any model's vectors; {@link
 * dev.embedstore.langchain4j.EmbedstoreEmbeddingModel} runs a bundled model in-process, cached.
 */
package dev.embedstore.langchain4j;
