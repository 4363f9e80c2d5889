package dev.embedstore.cli;

import dev.embedstore.server.json.JsonOutput;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the command line's JSON output: one object per line, fields in insertion order. Values may
 * be strings, numbers, booleans, null, float arrays, collections and maps of these.
 *
 * <p>Not thread-safe.
 */
final class Json {
  private Json() {}

  /**
   * Writes one JSON object and a newline, then flushes.
   *
   * @param out where to write; not closed
   * @param object the fields
   */
  static void writeLine(OutputStream out, Map<String, ?> object) {
    try {
      JsonOutput.writeLine(out, object);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot write to standard output", e.getCause());
    }
  }
}
