/**
 * For backend implementors: what every {@link dev.embedstore.store.VectorStore} backend shares. A
 * backend implements the narrow {@link dev.embedstore.store.spi.StoreWriter} and lets the {@link
 * dev.embedstore.store.spi.Upserter} do batching, digests ({@link
 * dev.embedstore.store.spi.DocumentDigest}), unchanged detection, checks ({@link
 * dev.embedstore.store.spi.MetadataTypes}), chunking, embedding through the cache and counting:
 *
 * <pre>{@code
 * Upserter upserter = new Upserter(writer, cachedEmbedder, writerCache, model, "store " + name);
 * UpsertResult r = upserter.upsert(documents, splitter, listener, commitInterval); // under the write lock
 * }</pre>
 *
 * <p>Its contract suite, {@code BaseVectorStoreTestCase}, is in core's test-jar.
 */
package dev.embedstore.store.spi;
