package dev.embedstore.onnx.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the SciFact corpus from {@code ../shared/data/scifact} for tests. Skips the test when the
 * data is absent, except on CI (env {@code CI=true}), where its absence is a failure.
 */
public final class SciFact {
  private SciFact() {}

  /**
   * The corpus file, or a skipped test.
   *
   * @return the path of {@code corpus.jsonl}
   */
  public static Path corpus() {
    Path corpus =
        Path.of(
            System.getProperty("embedstore.shared", "../../shared"), "data/scifact/corpus.jsonl");
    if (!Files.exists(corpus)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI must have the SciFact data beside the checkout: " + corpus);
      }
      assumeTrue(false, "SciFact is not at " + corpus);
    }
    return corpus;
  }

  /**
   * Every document as MTEB embeds it: {@code (title + " " + text).strip()}.
   *
   * @return the 5,183 documents, in file order
   * @throws IOException if the corpus cannot be read
   */
  public static List<String> documents() throws IOException {
    JsonFactory json = JsonFactory.builder().build();
    List<String> docs = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(corpus(), StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        String title = "";
        String text = "";
        try (JsonParser p = json.createParser(line)) {
          p.nextToken();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
              case "title" -> title = p.getText();
              case "text" -> text = p.getText();
              default -> p.skipChildren();
            }
          }
        }
        docs.add((title + " " + text).strip());
      }
    }
    return docs;
  }
}
