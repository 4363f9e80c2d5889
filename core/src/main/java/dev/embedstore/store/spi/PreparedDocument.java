package dev.embedstore.store.spi;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.store.Document;
import java.util.List;
import java.util.Objects;

/**
 * A document ready to be written: checked, digested, chunked and embedded.
 *
 * @param document the document as given
 * @param digest its {@link DocumentDigest}
 * @param replaces whether a document with its id is stored (an update rather than an add)
 * @param chunks its chunks, in order; at least one
 */
public record PreparedDocument(
    Document document, String digest, boolean replaces, List<Chunk> chunks) {
  /** Checks and copies the arguments. */
  public PreparedDocument {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(digest, "digest");
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("document " + document.id() + " has no chunks");
    }
  }

  /**
   * One chunk of a document.
   *
   * @param text the chunk's text as stored (without the title)
   * @param key the cache key of its vector
   * @param vector its vector, bit-exact as cached; backends index {@link
   *     Vectors#unitLength(float[]) a unit-length version}
   */
  public record Chunk(String text, CacheKey key, float[] vector) {
    /** Checks the arguments. */
    public Chunk {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(vector, "vector");
    }
  }
}
