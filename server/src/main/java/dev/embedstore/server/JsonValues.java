package dev.embedstore.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.embedstore.server.json.JsonOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's JSON: request bodies read into plain values ({@code Map}, {@code List}, {@code String},
 * {@code Long}, {@code Double}, {@code Boolean}, {@link #NULL}), responses written from the same
 * kinds of values (and {@code float[]}), fields in insertion order.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonValues {
  /** JSON's null inside a request value (a Java null means "absent"). */
  static final Object NULL = new Object();

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(64)
                  .maxStringLength(256 << 20)
                  .maxNumberLength(100)
                  .build())
          .build();

  private JsonValues() {}

  /**
   * Reads a body holding one JSON value.
   *
   * @throws HttpError 400 naming what is wrong with the JSON
   */
  static Object parse(byte[] body) throws HttpError {
    try (JsonParser p = FACTORY.createParser(body)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw HttpError.badRequest("the request body is empty; it must be a JSON object");
      }
      Object value = read(p, t);
      if (p.nextToken() != null) {
        throw HttpError.badRequest("invalid JSON: more than one value in the request body");
      }
      return value;
    } catch (StreamConstraintsException e) {
      throw HttpError.badRequest("invalid JSON: " + e.getOriginalMessage());
    } catch (JsonParseException e) {
      throw HttpError.badRequest("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpError.badRequest("invalid JSON: " + e.getMessage());
    }
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException, HttpError {
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
          String name = p.currentName();
          Object v = read(p, p.nextToken());
          if (m.put(name, v) != null) {
            throw HttpError.badRequest("the field \"" + name + "\" is given twice");
          }
        }
        yield m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          l.add(read(p, e));
        }
        yield l;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT ->
          p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? p.getDoubleValue()
              : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> NULL;
      default -> throw HttpError.badRequest("invalid JSON: unexpected " + t);
    };
  }

  /**
   * A request body's object, refusing fields not in {@code fields}; a JSON null counts as absent.
   *
   * @throws HttpError 400 when it is not an object or has an unknown field
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value, Set<String> fields, String what)
      throws HttpError {
    if (!(value instanceof Map<?, ?> m)) {
      throw HttpError.badRequest(what + " must be a JSON object; found " + describe(value));
    }
    for (Object name : m.keySet()) {
      if (!fields.contains(name)) {
        throw HttpError.badRequest(
            "unknown field \""
                + name
                + "\" in "
                + what
                + "; it takes "
                + String.join(", ", fields.stream().sorted().toList()));
      }
    }
    Map<String, Object> o = new LinkedHashMap<>((Map<String, Object>) m);
    o.values().removeIf(v -> v == NULL); // null is the same as absent
    return o;
  }

  /** What kind of JSON value a parsed value is, for messages. */
  static String describe(Object v) {
    return switch (v) {
      case Map<?, ?> m -> "an object";
      case List<?> l -> "an array";
      case String s -> "a string";
      case Number n -> "a number";
      case Boolean b -> "a boolean";
      default -> "null";
    };
  }

  /** Writes a value (maps, collections, strings, numbers, booleans, null, float arrays). */
  static byte[] write(Object value) {
    return JsonOutput.line(value);
  }
}
