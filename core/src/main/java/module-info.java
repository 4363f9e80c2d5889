/**
 * Embedstore's model-free core: the {@link dev.embedstore.embed.Embedder} abstraction, model
 * fingerprints, cache keys, the {@link dev.embedstore.cache.EmbeddingCache} SPI and the {@link
 * dev.embedstore.cache.CachedEmbedder} that puts them together. It knows nothing of Lucene or ONNX
 * Runtime.
 */
module dev.embedstore.core {
  exports dev.embedstore.embed;
  exports dev.embedstore.cache;
  exports dev.embedstore.text;
  exports dev.embedstore.eval;
  exports dev.embedstore.store;
  exports dev.embedstore.store.spi;
  exports dev.embedstore.npy;
}
