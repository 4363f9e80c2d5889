package dev.embedstore.testing;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives tests a reproducible {@link Random}: declare a {@code Random} parameter and extend with
 * this.
 *
 * <p>The run's master seed comes from {@code -Dtests.seed=HEX}, or is drawn fresh. Each test
 * derives its own seed from the master seed and its name, so one test's seed does not depend on
 * which others ran. When a test fails, the failure carries a suppressed note with the command line
 * that replays it:
 *
 * <pre>
 *   ./mvnw -pl core test -Dtest=CachedEmbedderTest#invariance -Dtests.seed=5F3A9C...
 * </pre>
 */
public final class Seeded implements ParameterResolver, TestExecutionExceptionHandler {
  private static final long MASTER_SEED = drawMasterSeed();

  static {
    System.err.printf(
        Locale.ROOT,
        "[Seeded] randomized tests use master seed %X; replay a run with -Dtests.seed=%X%n",
        MASTER_SEED,
        MASTER_SEED);
  }

  /** Created by JUnit. */
  public Seeded() {}

  /**
   * The master seed of this test run.
   *
   * @return the seed given with {@code -Dtests.seed}, or the one drawn for this run
   */
  public static long masterSeed() {
    return MASTER_SEED;
  }

  private static long drawMasterSeed() {
    // The build passes -Dtests.seed on as embedstore.seed: Lucene reads tests.seed itself and fails
    // on
    // an empty value.
    String property = System.getProperty("embedstore.seed", System.getProperty("tests.seed", ""));
    if (!property.isBlank()) {
      return Long.parseUnsignedLong(property.trim(), 16);
    }
    // Fresh every run: the clock mixed with the process id. Printed above, so any run can be
    // replayed.
    return mix(System.nanoTime() ^ ProcessHandle.current().pid() * 0x9E3779B97F4A7C15L);
  }

  /**
   * The seed of one test.
   *
   * @param testId the test's class and method name
   * @return a seed derived from the master seed and the name
   */
  public static long seedFor(String testId) {
    long h = MASTER_SEED;
    for (byte b : testId.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ b);
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String testId(ExtensionContext context) {
    return context.getRequiredTestClass().getName()
        + "#"
        + context.getTestMethod().map(m -> m.getName()).orElse("<class>");
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Random.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return new Random(seedFor(testId(context)));
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    String hint =
        String.format(
            Locale.ROOT,
            "randomized test failed with master seed %X; replay with: ./mvnw test -Dtest=%s#%s"
                + " -Dtests.seed=%X",
            MASTER_SEED,
            context.getRequiredTestClass().getSimpleName(),
            context.getTestMethod().map(m -> m.getName()).orElse(""),
            MASTER_SEED);
    throwable.addSuppressed(new SeedNote(hint));
    throw throwable;
  }

  /** Carries the replay hint in a failure's suppressed exceptions, where every report shows it. */
  static final class SeedNote extends Exception {
    private static final long serialVersionUID = 1L;

    SeedNote(String message) {
      super(message, null, false, false);
    }
  }
}
