package dev.embedstore.langchain4j;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion scenario in two JVMs: the first ingests through the cache and pays the delegate;
 * the second re-ingests the same documents into a new store with no call to the delegate, and both
 * it and the first store (reopened) give the same search results.
 */
class IngestionScenarioIT {
  @TempDir Path tmp;

  @Test
  void aSecondJvmReingestsWithNoDelegateCallAndTheSameResults() throws Exception {
    Path cache = tmp.resolve("cache");
    List<String> first = run(tmp.resolve("store-1"), cache, tmp.resolve("out-1.tsv"));
    String firstCounts = first.remove(first.size() - 1);
    assertTrue(firstCounts.matches("calls [1-9]\\d* texts [1-9]\\d*"), firstCounts);
    assertEquals(IngestionScenario.QUERIES.size() * 3, first.size(), String.join("\n", first));

    List<String> second =
        run(tmp.resolve("store-2"), cache, tmp.resolve("out-2.tsv"), tmp.resolve("store-1"));
    assertEquals("calls 0 texts 0", second.remove(second.size() - 1));
    List<String> ingested = new ArrayList<>();
    List<String> reopened = new ArrayList<>();
    for (String line : second) {
      (line.startsWith("ingested\t") ? ingested : reopened).add(line);
    }
    assertEquals(first, ingested);
    assertEquals(
        first, reopened.stream().map(l -> l.replaceFirst("^reopened", "ingested")).toList());
  }

  private static List<String> run(Path store, Path cache, Path out, Path... more)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(IngestionScenario.class.getName());
    cmd.addAll(List.of(store.toString(), cache.toString(), out.toString()));
    for (Path p : more) {
      cmd.add(p.toString());
    }
    Path log = out.resolveSibling(out.getFileName() + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "the scenario JVM did not finish; its output: " + Files.readString(log));
    }
    assertEquals(0, p.exitValue(), Files.readString(log));
    return new ArrayList<>(Files.readAllLines(out, StandardCharsets.UTF_8));
  }
}
