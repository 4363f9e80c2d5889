package dev.embedstore.cache;

import dev.embedstore.embed.ModelFingerprint;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission check every {@link EmbeddingCache} applies to the entries it is given: each model's
 * vectors keep one dimension (learned from its first entry, or declared with {@link #declare}) and
 * every component is finite. Caches share this class so that they refuse the same things with the
 * same words.
 *
 * <p><b>NOTE</b>: thread-safe.
 */
public final class VectorDimensions {
  private final Map<ModelFingerprint, Integer> dimensions = new ConcurrentHashMap<>();

  /** Creates an empty registry. */
  public VectorDimensions() {}

  /**
   * Checks entries before they are stored, learning the dimension of models seen for the first
   * time. Nothing is learned unless every entry passes.
   *
   * @param entries the entries
   * @throws NullPointerException if {@code entries} or an element is null
   * @throws IllegalArgumentException if a vector has a non-finite component, or a dimension that
   *     differs from the one held for its fingerprint (or from another entry of the same model in
   *     this batch)
   */
  public void check(Collection<CacheEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    Map<ModelFingerprint, Integer> learned = null;
    int i = 0;
    for (CacheEntry entry : entries) {
      if (entry == null) {
        throw new NullPointerException("entries[" + i + "]");
      }
      float[] v = entry.vector();
      for (int d = 0; d < v.length; d++) {
        if (!Float.isFinite(v[d])) {
          throw new IllegalArgumentException(
              "a cached vector must be finite; key="
                  + entry.key()
                  + ", index="
                  + d
                  + ", value="
                  + v[d]);
        }
      }
      Integer expected = dimensions.get(entry.fingerprint());
      if (expected == null && learned != null) {
        expected = learned.get(entry.fingerprint());
      }
      if (expected == null) {
        if (learned == null) {
          learned = new HashMap<>();
        }
        learned.put(entry.fingerprint(), v.length);
      } else if (expected != v.length) {
        throw new IllegalArgumentException(
            "vector has the wrong dimension for model "
                + entry.fingerprint().shortId()
                + "; expected="
                + expected
                + ", actual="
                + v.length
                + ", key="
                + entry.key());
      }
      i++;
    }
    if (learned != null) {
      for (Map.Entry<ModelFingerprint, Integer> e : learned.entrySet()) {
        Integer raced = dimensions.putIfAbsent(e.getKey(), e.getValue());
        if (raced != null && !raced.equals(e.getValue())) {
          throw new IllegalArgumentException(
              "vector has the wrong dimension for model "
                  + e.getKey().shortId()
                  + "; expected="
                  + raced
                  + ", actual="
                  + e.getValue());
        }
      }
    }
  }

  /**
   * Records the dimension of a model whose entries are already stored, for example when a
   * persistent cache is reopened.
   *
   * @param fingerprint the model
   * @param dimension its vectors' dimension
   */
  public void declare(ModelFingerprint fingerprint, int dimension) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0; dimension=" + dimension);
    }
    dimensions.put(fingerprint, dimension);
  }

  /**
   * Forgets a model's dimension, after its entries were all removed.
   *
   * @param fingerprint the model
   */
  public void forget(ModelFingerprint fingerprint) {
    dimensions.remove(fingerprint);
  }
}
