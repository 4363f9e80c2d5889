package dev.embedstore.server.input;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads index records given either as one JSON array of record objects or as JSON lines (the format
 * of {@link JsonlReader}), told apart by the first non-blank byte being {@code [}. Every record is
 * read with the same rules as {@code embedstore index} reads a JSON lines file. JSON lines go on
 * past a bad line (every problem is reported); an array stops at its first bad element, since the
 * rest of it cannot be found reliably.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonRecords {
  private JsonRecords() {}

  /**
   * What an input held: the good records in order, and the problems.
   *
   * @param records the records, repeats included (the caller decides which wins)
   * @param problems what was wrong, each naming {@code name:line} or {@code name[index]}
   * @param invalidUtf8 lines with invalid UTF-8 replaced by U+FFFD (JSON lines only; an array with
   *     invalid UTF-8 is a problem)
   */
  public record Batch(List<InputRecord> records, List<InputProblem> problems, long invalidUtf8) {}

  /**
   * Reads every record of an input held in memory.
   *
   * @param bytes the input
   * @param name its name in messages
   * @param rejectUnknownFields whether a field other than those of a record makes it bad
   * @return the records and problems
   * @throws IOException never for arrays; only if the JSON lines reader fails
   */
  public static Batch read(byte[] bytes, String name, boolean rejectUnknownFields)
      throws IOException {
    int i = 0;
    while (i < bytes.length && isBlank(bytes[i])) {
      i++;
    }
    List<InputRecord> records = new ArrayList<>();
    List<InputProblem> problems = new ArrayList<>();
    if (i < bytes.length && bytes[i] == '[') {
      readArray(bytes, name, rejectUnknownFields, records, problems);
      return new Batch(List.copyOf(records), List.copyOf(problems), 0);
    }
    try (JsonlReader r =
        new JsonlReader(new ByteArrayInputStream(bytes), name, false, rejectUnknownFields)) {
      for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
        switch (line) {
          case JsonlReader.Line.Ok ok -> records.add(ok.record());
          case JsonlReader.Line.Bad bad -> problems.add(bad.problem());
        }
      }
      return new Batch(List.copyOf(records), List.copyOf(problems), r.invalidUtf8Lines());
    }
  }

  private static void readArray(
      byte[] bytes,
      String name,
      boolean rejectUnknownFields,
      List<InputRecord> records,
      List<InputProblem> problems) {
    int index = 0;
    try (JsonParser p = JsonlReader.JSON.createParser(bytes)) {
      p.nextToken(); // START_ARRAY
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
        String origin = name + "[" + index + "]";
        if (t == null) {
          problems.add(new InputProblem(name, "the array is not closed"));
          return;
        }
        if (t != JsonToken.START_OBJECT) {
          problems.add(
              new InputProblem(
                  origin, "not a JSON object; found " + JsonlReader.describe(t) + " in the array"));
          p.skipChildren();
          continue;
        }
        switch (JsonlReader.parseObject(p, origin, false, rejectUnknownFields, false)) {
          case JsonlReader.Line.Ok ok -> records.add(ok.record());
          case JsonlReader.Line.Bad bad -> {
            // The parser may stand anywhere inside the bad record: reading stops at it.
            problems.add(bad.problem());
            return;
          }
        }
      }
      if (p.nextToken() != null) {
        problems.add(new InputProblem(name, "more than one JSON value after the array"));
      }
    } catch (JsonParseException e) {
      problems.add(
          new InputProblem(name + "[" + index + "]", "invalid JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      problems.add(new InputProblem(name + "[" + index + "]", "invalid JSON: " + e.getMessage()));
    }
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
