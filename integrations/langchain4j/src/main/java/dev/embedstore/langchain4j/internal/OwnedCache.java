package dev.embedstore.langchain4j.internal;

import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.lucene.LuceneEmbeddingCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The embedding cache of a langchain4j model: a Lucene cache in a folder the model opened (and so
 * commits and closes), or a cache the application gave (and keeps).
 *
 * <p><b>NOTE</b>: thread-safe.
 */
public final class OwnedCache implements AutoCloseable {
  private final EmbeddingCache cache;
  private final LuceneEmbeddingCache owned;

  private OwnedCache(EmbeddingCache cache, LuceneEmbeddingCache owned) {
    this.cache = cache;
    this.owned = owned;
  }

  /**
   * Opens (or creates) a Lucene cache in a folder.
   *
   * @param folder the folder
   * @return the cache, owned
   * @throws IOException if the folder cannot be opened, or another process holds it
   */
  public static OwnedCache open(Path folder) throws IOException {
    return new OwnedCache(null, LuceneEmbeddingCache.open(Objects.requireNonNull(folder)));
  }

  /**
   * Uses a cache the application owns.
   *
   * @param cache the cache
   * @return the handle; closing it leaves the cache open
   */
  public static OwnedCache borrowed(EmbeddingCache cache) {
    return new OwnedCache(Objects.requireNonNull(cache, "cache"), null);
  }

  /**
   * The cache.
   *
   * @return the cache
   */
  public EmbeddingCache cache() {
    return owned != null ? owned : cache;
  }

  /**
   * Makes the vectors put so far durable, when this handle owns a Lucene cache: called after every
   * call that computed vectors, so that a crash loses none a model was paid for.
   *
   * @throws IOException if the commit fails
   */
  public void commit() throws IOException {
    if (owned != null) {
      owned.commit();
    }
  }

  /**
   * Commits and closes an owned cache; a borrowed one is left open.
   *
   * @throws IOException if closing fails
   */
  @Override
  public void close() throws IOException {
    if (owned != null) {
      owned.close();
    }
  }

  @Override
  public String toString() {
    return String.valueOf(cache());
  }
}
