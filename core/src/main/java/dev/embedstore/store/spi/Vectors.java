package dev.embedstore.store.spi;

/**
 * Vector arithmetic backends share. Static; thread-safe.
 *
 * <p>Stores index unit-length vectors and score them by dot product, which is their cosine. The
 * bundled models normalise their vectors already; vectors an application brings may not be.
 */
public final class Vectors {
  /** How far from 1 a squared norm may be and still count as unit length. */
  private static final double UNIT_TOLERANCE = 1e-4;

  private Vectors() {}

  /**
   * The vector itself when it has unit length (so a model's vector is indexed bit-exact as it is
   * cached), else a scaled copy of unit length.
   *
   * @param v the vector
   * @return {@code v}, or a new unit-length vector
   * @throws IllegalArgumentException if every component is 0 (it has no direction)
   */
  public static float[] unitLength(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      throw new IllegalArgumentException(
          "a vector of zeros has no direction and cannot be searched by cosine");
    }
    if (Math.abs(sum - 1) <= UNIT_TOLERANCE) {
      return v;
    }
    double scale = 1 / Math.sqrt(sum);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }

  /**
   * Checks a vector's dimension.
   *
   * @param what what the vector is, for the message ("the query vector", "document x's vector")
   * @param v the vector
   * @param dimension the store's dimension
   * @param model the store's model name
   * @throws IllegalArgumentException naming both dimensions when they differ
   */
  public static void checkDimension(String what, float[] v, int dimension, String model) {
    if (v.length != dimension) {
      throw new IllegalArgumentException(
          what
              + " has dimension "
              + v.length
              + ", but the store holds vectors of model "
              + model
              + " with dimension "
              + dimension);
    }
  }
}
