package dev.embedstore.onnx.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON document into plain Java values ({@code Map}, {@code List}, {@code String}, {@code
 * Long}, {@code Double}, {@code Boolean}, null), for small configuration files such as {@code
 * tokenizer.json} that are easier to walk as a tree than to stream. Stateless and thread-safe.
 */
final class JsonTree {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private JsonTree() {}

  static Object read(InputStream in) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      p.nextToken();
      Object value = value(p);
      if (p.nextToken() != null) {
        throw new IOException("trailing content after the JSON document");
      }
      return value;
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("empty JSON document");
    }
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, value(p));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected JSON token " + t);
    };
  }
}
