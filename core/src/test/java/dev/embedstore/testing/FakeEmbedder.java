package dev.embedstore.testing;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic stand-in for a real model, for tests that need thousands of vectors fast: the
 * vector of a text is a unit vector drawn from the SHA-256 of its role and text, so equal inputs
 * give bit-identical vectors in any JVM, and different texts give practically unrelated vectors. It
 * counts every text it is asked to embed, so tests can prove what reached the model.
 *
 * <p>Thread-safe.
 */
public final class FakeEmbedder implements Embedder {
  private final String name;
  private final int dimension;
  private final ModelFingerprint fingerprint;
  private final Map<String, AtomicInteger> embeddedTexts = new ConcurrentHashMap<>();
  private final AtomicLong texts = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private volatile long failAfterTexts = Long.MAX_VALUE;
  private volatile int maxChars = Integer.MAX_VALUE;
  private volatile boolean closed;

  /**
   * Creates a fake model.
   *
   * @param name the model name; models with different names have different fingerprints
   * @param dimension the vectors' dimension
   */
  public FakeEmbedder(String name, int dimension) {
    this.name = Objects.requireNonNull(name, "name");
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0; dimension=" + dimension);
    }
    this.dimension = dimension;
    this.fingerprint =
        ModelFingerprint.builder().add("fake-model", name).add("dimension", dimension).build();
  }

  /**
   * A 16-dimensional fake named {@code fake}.
   *
   * @return a new fake
   */
  public static FakeEmbedder small() {
    return new FakeEmbedder("fake", 16);
  }

  /**
   * Makes the model throw once it has embedded {@code n} texts in total, to simulate a crash
   * mid-run.
   *
   * @param n the number of texts to embed before failing
   */
  public void failAfter(long n) {
    this.failAfterTexts = n;
  }

  /**
   * Makes the model say that it cut every text longer than {@code chars} characters to its limit,
   * as a real model cuts texts over its token limit (the vectors do not change).
   *
   * @param chars the longest text the model takes whole
   */
  public void truncateAbove(int chars) {
    this.maxChars = chars;
  }

  @Override
  public Embeddings embedBatch(List<String> input, Role role) {
    List<float[]> vectors = embed(input, role);
    int cut = 0;
    for (String text : input) {
      if (text.length() > maxChars) {
        cut++;
      }
    }
    return new Embeddings(vectors, cut);
  }

  @Override
  public String modelName() {
    return name;
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
  public List<float[]> embed(List<String> input, Role role) {
    if (closed) {
      throw new IllegalStateException("FakeEmbedder is closed");
    }
    Objects.requireNonNull(input, "texts");
    Objects.requireNonNull(role, "role");
    calls.incrementAndGet();
    List<float[]> out = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i);
      if (text == null) {
        throw new NullPointerException("texts.get(" + i + ")");
      }
      if (texts.get() >= failAfterTexts) {
        throw new IllegalStateException("FakeEmbedder: simulated failure after " + failAfterTexts);
      }
      texts.incrementAndGet();
      embeddedTexts
          .computeIfAbsent(role.name() + ":" + text, k -> new AtomicInteger())
          .incrementAndGet();
      out.add(vectorOf(text, role, dimension));
    }
    return out;
  }

  /**
   * The vector this fake gives a text, without counting it.
   *
   * @param text the text
   * @param role the role
   * @param dimension the dimension
   * @return a unit vector
   */
  public static float[] vectorOf(String text, Role role, int dimension) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    float[] v = new float[dimension];
    byte[] seed = (role.name() + "\u0000" + text).getBytes(StandardCharsets.UTF_16LE);
    double norm = 0;
    int produced = 0;
    for (int block = 0; produced < dimension; block++) {
      sha.update(seed);
      sha.update((byte) block);
      byte[] d = sha.digest();
      for (int i = 0; i + 1 < d.length && produced < dimension; i += 2) {
        float x = (short) ((d[i] << 8) | (d[i + 1] & 0xFF)) / 32768f;
        v[produced++] = x;
        norm += x * x;
      }
    }
    float inv = (float) (1 / Math.sqrt(Math.max(norm, 1e-12)));
    for (int i = 0; i < dimension; i++) {
      v[i] *= inv;
    }
    return v;
  }

  /**
   * How many texts reached the model in total.
   *
   * @return the count, repeats included
   */
  public long textsEmbedded() {
    return texts.get();
  }

  /**
   * How many times {@link #embed} was called.
   *
   * @return the count
   */
  public long calls() {
    return calls.get();
  }

  /**
   * How many times one text reached the model as the given role.
   *
   * @param text the text
   * @param role the role
   * @return the count
   */
  public int timesEmbedded(String text, Role role) {
    AtomicInteger n = embeddedTexts.get(role.name() + ":" + text);
    return n == null ? 0 : n.get();
  }

  /**
   * The highest number of times any one text reached the model.
   *
   * @return the count, 0 when nothing was embedded
   */
  public int maxTimesEmbedded() {
    return embeddedTexts.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
  }

  /** Forgets the counts. */
  public void resetCounts() {
    embeddedTexts.clear();
    texts.set(0);
    calls.set(0);
  }

  @Override
  public void close() {
    closed = true;
  }
}
