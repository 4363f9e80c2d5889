package dev.embedstore.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One document found by a search: its best-scoring chunk.
 *
 * @param id the document's id
 * @param score the score (higher is better; cosine similarity in vector modes, BM25 in keyword
 *     mode, fused rank score in hybrid mode)
 * @param chunk the ordinal of the best chunk (0 when the document is one chunk)
 * @param text the best chunk's text
 * @param title the document's title, or null
 * @param metadata the document's metadata
 * @param vector the best chunk's stored vector, bit-exact as it was embedded or given, when the
 *     request asked for vectors ({@link SearchRequest#includeVectors()}); else null
 */
public record SearchHit(
    String id,
    float score,
    int chunk,
    String text,
    String title,
    Map<String, Object> metadata,
    float[] vector) {

  /**
   * A hit without its vector.
   *
   * @param id the document's id
   * @param score the score
   * @param chunk the best chunk's ordinal
   * @param text the best chunk's text
   * @param title the title, or null
   * @param metadata the metadata
   */
  public SearchHit(
      String id, float score, int chunk, String text, String title, Map<String, Object> metadata) {
    this(id, score, chunk, text, title, metadata, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchHit h
        && id.equals(h.id)
        && Float.compare(score, h.score) == 0
        && chunk == h.chunk
        && Objects.equals(text, h.text)
        && Objects.equals(title, h.title)
        && Objects.equals(metadata, h.metadata)
        && Arrays.equals(vector, h.vector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, score, chunk, text, title, metadata) * 31 + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "SearchHit[id="
        + id
        + ", score="
        + score
        + ", chunk="
        + chunk
        + ", title="
        + title
        + ", metadata="
        + metadata
        + (vector == null ? "" : ", vector=float[" + vector.length + "]")
        + "]";
  }
}
