package dev.embedstore.server.input;

import java.util.Map;
import java.util.Objects;

/**
 * One document read from the command line's inputs: a JSONL record or a text file.
 *
 * @param id the document id
 * @param title the title, or null
 * @param text the text
 * @param metadata metadata values: {@code String}, {@code Long}, {@code Double}, {@code Boolean} or
 *     a {@code List<String>}
 * @param origin where it came from, for messages: {@code file:line} or the file's path
 */
public record InputRecord(
    String id, String title, String text, Map<String, Object> metadata, String origin) {
  /** Checks that the required components are present. */
  public InputRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(origin, "origin");
  }
}
