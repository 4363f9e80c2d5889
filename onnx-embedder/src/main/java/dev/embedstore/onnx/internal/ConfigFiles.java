package dev.embedstore.onnx.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads small optional JSON configuration files of a model folder. Stateless and thread-safe. */
public final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * Reads a JSON object from a file.
   *
   * @param file the file
   * @return its fields, or an empty map when the file does not exist
   * @throws IOException if the file exists but is not a JSON object; the message names it
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readObject(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    Object json;
    try (InputStream in = Files.newInputStream(file)) {
      json = JsonTree.read(in);
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (json instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IOException(file + " is not a JSON object");
  }

  /**
   * Reads a whole number.
   *
   * @param value a parsed JSON value
   * @param fallback what to return when it is not a number
   * @return the number
   */
  public static int intOr(Object value, int fallback) {
    return value instanceof Number n ? n.intValue() : fallback;
  }
}
