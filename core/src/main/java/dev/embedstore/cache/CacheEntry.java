package dev.embedstore.cache;

import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.util.Arrays;
import java.util.Objects;

/**
 * One cached vector: its key, the fingerprint of the model that made it, the role it was embedded
 * as, and the vector itself, bit-exact as the model produced it.
 *
 * <p>The record does not copy {@code vector}: whoever builds an entry hands the array over and must
 * not change it afterwards. Equality compares vectors element by element.
 *
 * @param key the cache key
 * @param fingerprint the model's fingerprint (also mixed into {@code key})
 * @param role the role (also mixed into {@code key})
 * @param vector the vector
 */
public record CacheEntry(CacheKey key, ModelFingerprint fingerprint, Role role, float[] vector) {

  /** Checks that no component is null and that the vector is not empty. */
  public CacheEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(vector, "vector");
    if (vector.length == 0) {
      throw new IllegalArgumentException(
          "a cached vector must have at least one dimension; key=" + key);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheEntry e
        && key.equals(e.key)
        && fingerprint.equals(e.fingerprint)
        && role == e.role
        && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return "CacheEntry[key="
        + key
        + ", fingerprint="
        + fingerprint.shortId()
        + ", role="
        + role
        + ", dimension="
        + vector.length
        + "]";
  }
}
