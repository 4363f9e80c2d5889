package dev.embedstore.server.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the JSON that the service answers and the command line prints: values are strings,
 * numbers, booleans, null, float arrays, collections and maps of these (fields in the map's order;
 * a non-finite number as null, which JSON lacks; anything else as its string). One value per line.
 *
 * <p>Static; thread-safe.
 */
public final class JsonOutput {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonOutput() {}

  /**
   * A value as JSON bytes, with a newline after it.
   *
   * @param value the value
   * @return UTF-8 JSON and a newline
   */
  public static byte[] line(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeLine(out, value);
    return out.toByteArray();
  }

  /**
   * Writes a value as JSON and a newline, then flushes.
   *
   * @param out where to write; not closed
   * @param value the value
   * @throws UncheckedIOException if the stream fails
   */
  public static void writeLine(OutputStream out, Object value) {
    try {
      JsonGenerator g = FACTORY.createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      write(g, value);
      g.flush();
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
  }

  /**
   * Writes a value as indented JSON (as the benchmark reports keep their figures), then flushes.
   *
   * @param out where to write; not closed
   * @param value the value
   * @throws UncheckedIOException if the stream fails
   */
  public static void writePretty(OutputStream out, Object value) {
    try {
      JsonGenerator g = FACTORY.createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      write(g, value);
      g.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
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
      g.writeNull();
    }
  }
}
