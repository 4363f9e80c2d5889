/**
 * The embedding cache: keys, the {@link dev.embedstore.cache.EmbeddingCache} SPI, an in-memory LRU
 * and the {@link dev.embedstore.cache.CachedEmbedder} that sends only never-seen texts to the
 * model.
 *
 * <pre>{@code
 * try (EmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(100_000);
 *     CachedEmbedder embedder = CachedEmbedder.builder(model, cache).namespace("tenant-7").build()) {
 *   embedder.embed(List.of("a", "b", "a"), Role.DOCUMENT);   // the model sees "a" and "b" once each
 *   embedder.embed(List.of("b"), Role.DOCUMENT);             // served from the cache
 *   System.out.println(embedder.stats());  // hits=1, misses=3, embedded=2, deduplicated=1
 * }
 * }</pre>
 */
package dev.embedstore.cache;
