package dev.embedstore.bench.micro;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stand-in model for index and search benchmarks: unit vectors drawn from a seed derived from the
 * text and role, so runs are repeatable and no model time is measured. Random unit vectors are the
 * hard case for HNSW (no clusters), so recall and latency figures are conservative.
 */
final class RandomEmbedder implements Embedder {
  private final int dimension;
  private final ModelFingerprint fingerprint;

  RandomEmbedder(int dimension) {
    this.dimension = dimension;
    this.fingerprint =
        ModelFingerprint.builder().add("random-embedder", "1").add("dimension", dimension).build();
  }

  @Override
  public String modelName() {
    return "random-" + dimension;
  }

  @Override
  public ModelFingerprint fingerprint() {
    return fingerprint;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embed(List<String> texts, Role role) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(vector(t, role, dimension));
    }
    return out;
  }

  static float[] vector(String text, Role role, int dimension) {
    long seed = role.code();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      seed = seed * 1_000_003L + b;
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) r.nextGaussian();
      norm += v[i] * v[i];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimension; i++) {
      v[i] *= inv;
    }
    return v;
  }

  @Override
  public void close() {}
}
