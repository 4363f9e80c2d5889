package dev.embedstore.bench.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the CPU can do, and what a BERT encoder costs, in float32 operations: the yardstick for the
 * embedding figures' GFLOP/s.
 *
 * <p>The peak is measured, not read off a data sheet (clock speeds vary with load, and the machine
 * is a virtual one whose CPU model changes): every core runs a loop of independent fused
 * multiply-adds on the widest vectors the JVM offers (16 independent accumulators, enough to cover
 * the FMA units' latency), and the best of a few repetitions counts. It is the peak of float32 FMA
 * work as the JIT emits it, an upper bound for any matrix kernel on this machine.
 */
public final class FloatPeak {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int ACCUMULATORS = 16;

  private FloatPeak() {}

  /**
   * Floating-point operations of one forward pass of a BERT-style encoder over a text of {@code n}
   * tokens, counting a multiply-add as two: per layer the four {@code H x H} projections and the
   * two feed-forward matrices ({@code 2n(4H^2 + 2HF)}), and attention's two {@code n x n} products
   * ({@code 4n^2 H}). Layer norms, softmax, GELU and pooling are left out (under 1 % here).
   *
   * @param n tokens, special tokens included
   * @param layers encoder layers
   * @param hidden hidden size H
   * @param feedForward feed-forward size F
   * @return operations
   */
  public static double encoderFlops(int n, int layers, int hidden, int feedForward) {
    double perLayer =
        2.0 * n * (4.0 * hidden * hidden + 2.0 * hidden * feedForward)
            + 4.0 * (double) n * n * hidden;
    return layers * perLayer;
  }

  /** all-MiniLM-L6-v2: 6 layers, hidden 384, feed-forward 1536. */
  public static double miniLmFlops(int n) {
    return encoderFlops(n, 6, 384, 1536);
  }

  /**
   * Measures the float32 FMA peak of all cores together.
   *
   * @return operations per second, counting a multiply-add as two
   * @throws Exception if a worker fails
   */
  public static double measure() throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    long iterations = 20_000_000L;
    // Warm up until C2 has compiled the loop, then keep the best of a few timed runs.
    loop(iterations / 10);
    loop(iterations / 10);
    double best = 0;
    ExecutorService pool =
        Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("float-peak-", 0).factory());
    try {
      for (int rep = 0; rep < 5; rep++) {
        List<Callable<Float>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          work.add(() -> loop(iterations));
        }
        long t0 = System.nanoTime();
        List<Future<Float>> done = pool.invokeAll(work);
        float sink = 0;
        for (Future<Float> f : done) {
          sink += f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (Float.isNaN(sink)) {
          throw new AssertionError("unreachable: keeps the result alive");
        }
        double flops = 2.0 * SPECIES.length() * ACCUMULATORS * iterations * threads;
        best = Math.max(best, flops / seconds);
      }
    } finally {
      pool.shutdownNow();
    }
    return best;
  }

  /** Lanes of the vectors the loop uses. */
  public static int lanes() {
    return SPECIES.length();
  }

  private static float loop(long iterations) {
    FloatVector a = FloatVector.broadcast(SPECIES, 0.999999f);
    FloatVector b = FloatVector.broadcast(SPECIES, 1e-7f);
    FloatVector c0 = FloatVector.broadcast(SPECIES, 1f);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    FloatVector c12 = c0;
    FloatVector c13 = c0;
    FloatVector c14 = c0;
    FloatVector c15 = c0;
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
      c12 = c12.fma(a, b);
      c13 = c13.fma(a, b);
      c14 = c14.fma(a, b);
      c15 = c15.fma(a, b);
    }
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .add(c8)
        .add(c9)
        .add(c10)
        .add(c11)
        .add(c12)
        .add(c13)
        .add(c14)
        .add(c15)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  /**
   * Prints the peak.
   *
   * @param args none
   * @throws Exception if a worker fails
   */
  @dev.embedstore.bench.SuppressForbidden(reason = "a benchmark program")
  public static void main(String[] args) throws Exception {
    System.out.printf(
        java.util.Locale.ROOT,
        "float32 FMA peak: %.1f GFLOP/s (%d cores, %d lanes)%n",
        measure() / 1e9,
        Runtime.getRuntime().availableProcessors(),
        lanes());
  }
}
