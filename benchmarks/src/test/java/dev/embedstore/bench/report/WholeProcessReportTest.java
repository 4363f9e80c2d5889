package dev.embedstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole-process table runs the real launcher as child processes on a tiny corpus (the peers
 * left out: they need Debian's faiss and an npm install) and checks what each phase embedded.
 */
class WholeProcessReportTest {
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void timesEachPhaseAsAChildProcessOfTheLauncher() throws Exception {
    Path beir = Files.createDirectories(tmp.resolve("beir"));
    StringBuilder corpus = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      corpus
          .append("{\"_id\": \"d")
          .append(i)
          .append("\", \"title\": \"Note ")
          .append(i)
          .append("\", \"text\": \"Observation ")
          .append(i)
          .append(" concerns the tides, measured on day ")
          .append(i)
          .append(".\"}\n");
    }
    Files.writeString(beir.resolve("corpus.jsonl"), corpus.toString());
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\": \"q0\", \"text\": \"tides\"}\n");
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(root.resolve("embedstore")), root.toString());

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Map<String, Object> figures =
        WholeProcessReport.run(
            beir, 12, 1, false, root, new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("| phase | Embedstore |"), text);

    Map<String, Map<String, List<Double>>> seconds =
        (Map<String, Map<String, List<Double>>>) figures.get("per_run");
    Map<String, List<Double>> es = seconds.get("embedstore");
    assertEquals(List.of(12.0), es.get("cold_embedded"));
    assertEquals(List.of(0.0), es.get("recreate_embedded"));
    assertEquals(List.of(0.0), es.get("recreate_import_embedded"));
    assertEquals(List.of(0.0), es.get("reindex_embedded"));
    for (String phase : List.of("cold", "recreate", "delete10_reindex", "search", "help")) {
      assertTrue(es.get(phase).get(0) > 0, phase);
    }
    for (String phase : List.of("first_search")) {
      assertTrue(es.get(phase).get(0) > 0, phase);
    }
    // The same phases with every command in a JVM of its own, on a copy of the same store.
    Map<String, List<Double>> own = seconds.get(WholeProcessReport.OWN);
    assertEquals(List.of(0.0), own.get("recreate_embedded"));
    for (String phase : List.of("recreate", "delete10_reindex", "search")) {
      assertTrue(own.get(phase).get(0) > 0, phase);
    }
    assertTrue(text.contains("| ... each command in a JVM of its own"), text);
    assertEquals(null, seconds.get("langchain_faiss"));
    // The floor wrote every document, each with its cached vector.
    assertTrue(seconds.get("lucene_floor").get("recreate").get(0) > 0);
    assertTrue(text.contains("| floor: a bare JVM"), text);
  }
}
