package dev.embedstore.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Relevance judgements: for each query id, the relevant document ids and their graded relevance.
 * Read from BEIR's {@code qrels/<split>.tsv}: a header line, then {@code query-id \t corpus-id \t
 * score}. Judgements with score 0 or less are kept out (they mark non-relevant documents).
 *
 * <p>Immutable and thread-safe once read.
 *
 * @param judgements query id → (document id → relevance), in file order
 */
public record Qrels(Map<String, Map<String, Integer>> judgements) {

  /** Copies the map so that the record is immutable. */
  public Qrels {
    Objects.requireNonNull(judgements, "judgements");
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    judgements.forEach(
        (q, docs) -> copy.put(q, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
    judgements = Collections.unmodifiableMap(copy);
  }

  /**
   * Reads a BEIR qrels file.
   *
   * @param file the {@code .tsv} file
   * @return the judgements
   * @throws IOException if the file cannot be read, or a line is malformed (the message names the
   *     file and the line)
   */
  public static Qrels readTsv(Path file) throws IOException {
    Map<String, Map<String, Integer>> judgements = new LinkedHashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank() || (n == 1 && line.startsWith("query-id"))) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 3) {
          throw new IOException(
              file + ":" + n + ": expected query-id, corpus-id and score separated by tabs");
        }
        int score;
        try {
          score = Integer.parseInt(f[2].trim());
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + n + ": score is not an integer: " + f[2], e);
        }
        if (score > 0) {
          judgements
              .computeIfAbsent(f[0].trim(), q -> new LinkedHashMap<>())
              .put(f[1].trim(), score);
        }
      }
    }
    return new Qrels(judgements);
  }

  /**
   * The number of judged queries.
   *
   * @return the count
   */
  public int queries() {
    return judgements.size();
  }
}
