package dev.embedstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness runs end to end on a tiny corpus, with the real models and the peer. */
class MacroReportTest {
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void runsEndToEndOnATinyCorpus() throws Exception {
    Path beir = Files.createDirectories(tmp.resolve("beir"));
    StringBuilder corpus = new StringBuilder();
    String[] topics = {
      "tides and the moon", "sourdough starters", "glacier retreat", "chess openings"
    };
    for (int i = 0; i < 90; i++) {
      String topic = topics[i % topics.length];
      corpus
          .append("{\"_id\": \"d")
          .append(i)
          .append("\", \"title\": \"Note ")
          .append(i)
          .append("\", \"text\": \"")
          .append(
              ("Observation " + i + " concerns " + topic + ", measured on day " + i + ". ")
                  .repeat(4))
          .append("\"}\n");
    }
    Files.writeString(beir.resolve("corpus.jsonl"), corpus.toString());
    StringBuilder queries = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      queries
          .append("{\"_id\": \"q")
          .append(i)
          .append("\", \"text\": \"what about ")
          .append(topics[i % 4])
          .append("\"}\n");
    }
    Files.writeString(beir.resolve("queries.jsonl"), queries.toString());

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path json = tmp.resolve("report.json");
    Map<String, Object> figures =
        MacroReport.run(
            beir, false, true, json, new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("| what | figure | note |"), text);

    Map<String, Object> cold = (Map<String, Object>) figures.get("cold_vs_warm");
    assertEquals(60L, ((Number) cold.get("cold_embedded")).longValue());
    assertEquals(0L, ((Number) cold.get("reingest_embedded")).longValue());
    assertEquals(0L, ((Number) cold.get("rebuild_int8_embedded")).longValue());
    assertEquals(0L, ((Number) cold.get("import_and_ingest_embedded")).longValue());
    Map<String, Object> tutorial = (Map<String, Object>) figures.get("tutorial_exercise");
    assertEquals(0L, ((Number) tutorial.get("warm_embedded")).longValue());
    Map<String, Object> knn = (Map<String, Object>) figures.get("knn");
    Map<String, Object> exactish =
        (Map<String, Object>) ((Map<String, Object>) knn.get("float32")).get("k'=160");
    assertTrue(((Number) exactish.get("recall_at_10")).doubleValue() > 0.9, exactish.toString());
    assertTrue(Files.readString(json).contains("\"embedding_throughput\""));
  }
}
