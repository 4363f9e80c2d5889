package dev.embedstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the real {@code ./embedstore} launcher as a child process, as a user would. */
class LauncherIT {
  static final Path ROOT =
      Path.of(System.getProperty("embedstore.root", "..")).toAbsolutePath().normalize();

  record Run(int exitCode, String stdout, String stderr) {}

  static Run embedstore(String... args) throws IOException, InterruptedException {
    return embedstoreWithOptions(null, args);
  }

  /**
   * Runs the launcher with {@code EMBEDSTORE_JAVA_OPTS} set to {@code javaOptions}, unless null.
   */
  static Run embedstoreWithOptions(String javaOptions, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("embedstore").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    // The launcher must find a JDK 21+ by itself, as on a newcomer's machine.
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("EMBEDSTORE_JAVA_OPTS");
    if (javaOptions != null) {
      pb.environment().put("EMBEDSTORE_JAVA_OPTS", javaOptions);
    }
    Path out = Files.createTempFile("embedstore-out", ".txt");
    Path err = Files.createTempFile("embedstore-err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(
            "embedstore " + String.join(" ", args) + " did not finish in 10 minutes");
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void helpListsTheCommands() throws Exception {
    Run run = embedstore("--help");
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().contains("Usage: embedstore"), run.stdout());
    assertTrue(run.stdout().contains("help"), run.stdout());
  }

  @Test
  void anUnknownOptionIsAUsageError() throws Exception {
    Run run = embedstore("--no-such-option");
    assertEquals(2, run.exitCode(), run.stderr());
    assertTrue(run.stderr().contains("--no-such-option"), run.stderr());
  }
}
