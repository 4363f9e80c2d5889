package dev.embedstore.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.embedstore.store.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a BEIR folder's corpus and queries (records with _id, text and an optional title). */
public final class Beir {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private Beir() {}

  /**
   * The first documents of {@code corpus.jsonl}.
   *
   * @param folder the BEIR folder
   * @param limit how many at most
   * @return the documents, title separate
   * @throws IOException if the file cannot be read
   */
  public static List<Document> corpus(Path folder, int limit) throws IOException {
    List<Document> out = new ArrayList<>();
    for (Map<String, String> r : records(folder.resolve("corpus.jsonl"), limit)) {
      String title = r.get("title");
      out.add(
          new Document(
              r.get("_id"),
              r.get("text"),
              title == null || title.isEmpty() ? null : title,
              Map.of()));
    }
    return out;
  }

  /**
   * The first query texts of {@code queries.jsonl}.
   *
   * @param folder the BEIR folder
   * @param limit how many at most
   * @return the texts
   * @throws IOException if the file cannot be read
   */
  public static List<String> queries(Path folder, int limit) throws IOException {
    List<String> out = new ArrayList<>();
    for (Map<String, String> r : records(folder.resolve("queries.jsonl"), limit)) {
      out.add(r.get("text"));
    }
    return out;
  }

  /**
   * The queries of {@code queries.jsonl} by id, in file order.
   *
   * @param folder the BEIR folder
   * @return query text by query id
   * @throws IOException if the file cannot be read
   */
  public static Map<String, String> queriesById(Path folder) throws IOException {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Map<String, String> r : records(folder.resolve("queries.jsonl"), Integer.MAX_VALUE)) {
      out.put(r.get("_id"), r.get("text"));
    }
    return out;
  }

  private static List<Map<String, String>> records(Path file, int limit) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; out.size() < limit && (line = r.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
          p.nextToken();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_STRING) {
              fields.put(name, p.getText());
            } else {
              p.skipChildren();
            }
          }
        }
        if (fields.containsKey("_id") && fields.containsKey("text")) {
          out.add(fields);
        }
      }
    }
    return out;
  }
}
