package dev.embedstore.onnx.internal;

import dev.embedstore.onnx.Pooling;
import java.nio.FloatBuffer;

/**
 * Turns one row of a model's output into a unit vector: the graph's own pooled output ({@code
 * [batch, dimension]}), or its token states ({@code [batch, tokens, dimension]}) pooled by the
 * [CLS] token or by the mean over the real (unpadded) tokens, then L2-normalised. Immutable and
 * thread-safe.
 *
 * @param pooling how token states become one vector
 * @param dimension the vectors' dimension
 */
public record Pooler(Pooling pooling, int dimension) {
  /**
   * Pools one row.
   *
   * @param values the output tensor's values
   * @param shape its shape
   * @param row the row (text) in the batch
   * @param realTokens the row's tokens before padding
   * @return a new unit vector
   */
  public float[] pool(FloatBuffer values, long[] shape, int row, int realTokens) {
    int dim = dimension;
    float[] v = new float[dim];
    if (shape.length == 2) {
      values.get(row * dim, v, 0, dim);
    } else {
      int seq = (int) shape[1];
      int base = row * seq * dim;
      if (pooling == Pooling.CLS) {
        values.get(base, v, 0, dim);
      } else {
        float[] token = new float[dim];
        for (int t = 0; t < realTokens; t++) {
          values.get(base + t * dim, token, 0, dim);
          for (int d = 0; d < dim; d++) {
            v[d] += token[d];
          }
        }
        float inv = 1f / Math.max(realTokens, 1);
        for (int d = 0; d < dim; d++) {
          v[d] *= inv;
        }
      }
    }
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
    for (int d = 0; d < dim; d++) {
      v[d] *= scale;
    }
    return v;
  }
}
