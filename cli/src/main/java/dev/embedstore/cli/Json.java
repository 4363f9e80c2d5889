package dev.embedstore.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the command line's JSON output: one object per line, fields in insertion order. Values may
 * be strings, numbers, booleans, null, float arrays, collections and maps of these.
 *
 * <p>Not thread-safe.
 */
final class Json {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Json() {}

  /**
   * Writes one JSON object and a newline, then flushes.
   *
   * @param out where to write; not closed
   * @param object the fields
   */
  static void writeLine(OutputStream out, Map<String, ?> object) {
    try {
      JsonGenerator g = FACTORY.createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      write(g, object);
      g.flush();
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to standard output", e);
    }
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    switch (value) {
      case null -> g.writeNull();
      case String s -> g.writeString(s);
      case Integer i -> g.writeNumber(i);
      case Long l -> g.writeNumber(l);
      case Double d -> writeDouble(g, d);
      case Float f -> writeDouble(g, f);
      case Boolean b -> g.writeBoolean(b);
      case float[] v -> {
        g.writeStartArray();
        for (float x : v) {
          g.writeNumber(x);
        }
        g.writeEndArray();
      }
      case Map<?, ?> m -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          g.writeFieldName(String.valueOf(e.getKey()));
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case Collection<?> c -> {
        g.writeStartArray();
        for (Object o : c) {
          write(g, o);
        }
        g.writeEndArray();
      }
      default -> g.writeString(value.toString());
    }
  }

  private static void writeDouble(JsonGenerator g, double d) throws IOException {
    if (Double.isFinite(d)) {
      g.writeNumber(d);
    } else {
      g.writeNull(); // JSON has no NaN or infinity
    }
  }
}
