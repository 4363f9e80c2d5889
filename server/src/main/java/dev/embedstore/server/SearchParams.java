package dev.embedstore.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A search as a request gave it ({@code GET} parameters or a {@code POST} body), its types checked;
 * the store checks the rest (the mode, the filter's fields, the vector's dimension).
 *
 * @param text the query text, or null
 * @param vector the query vector, or null
 * @param k how many hits
 * @param mode the mode's name
 * @param filters the filter conditions in the CLI's syntax
 */
record SearchParams(String text, float[] vector, int k, String mode, List<String> filters) {
  private static final Set<String> SEARCH_PARAMS = Set.of("q", "k", "mode", "filter");
  private static final Set<String> SEARCH_FIELDS = Set.of("query", "vector", "k", "mode", "filter");

  static SearchParams fromQuery(String rawQuery) throws HttpError {
    Map<String, String> single = new HashMap<>();
    List<String> filters = new ArrayList<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!SEARCH_PARAMS.contains(name)) {
          throw HttpError.badRequest(
              "unknown parameter \"" + name + "\"; /api/search takes q, k, mode and filter");
        }
        if (name.equals("filter")) {
          filters.add(value);
        } else if (single.put(name, value) != null) {
          throw HttpError.badRequest("the parameter \"" + name + "\" is given twice");
        }
      }
    }
    String q = single.get("q");
    if (q == null || q.isBlank()) {
      throw HttpError.badRequest("missing q: GET /api/search?q=WORDS");
    }
    int k = 10;
    if (single.containsKey("k")) {
      try {
        k = Integer.parseInt(single.get("k"));
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("k must be a whole number; k=" + single.get("k"));
      }
    }
    return new SearchParams(q, null, k, single.getOrDefault("mode", "vector"), filters);
  }

  private static String decode(String s) throws HttpError {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed %-escape in the query string: " + s);
    }
  }

  static SearchParams fromBody(byte[] body) throws HttpError {
    Map<String, Object> o = JsonValues.object(JsonValues.parse(body), SEARCH_FIELDS, "a search");
    String text = null;
    if (o.containsKey("query")) {
      if (!(o.get("query") instanceof String s) || s.isBlank()) {
        throw HttpError.badRequest(
            "\"query\" must be a non-blank string; found " + JsonValues.describe(o.get("query")));
      }
      text = s;
    }
    float[] vector = null;
    if (o.containsKey("vector")) {
      if (!(o.get("vector") instanceof List<?> l) || l.isEmpty()) {
        throw HttpError.badRequest(
            "\"vector\" must be a non-empty array of numbers; found "
                + JsonValues.describe(o.get("vector")));
      }
      vector = new float[l.size()];
      for (int i = 0; i < vector.length; i++) {
        if (!(l.get(i) instanceof Number n)) {
          throw HttpError.badRequest(
              "\"vector\"[" + i + "] must be a number; found " + JsonValues.describe(l.get(i)));
        }
        vector[i] = n.floatValue();
      }
    }
    if (text == null && vector == null) {
      throw HttpError.badRequest("a search needs \"query\" (a text) or \"vector\" (numbers)");
    }
    int k = 10;
    if (o.containsKey("k")) {
      if (!(o.get("k") instanceof Long n)) {
        throw HttpError.badRequest(
            "\"k\" must be a whole number; found " + JsonValues.describe(o.get("k")));
      }
      k = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }
    String mode = "vector";
    if (o.containsKey("mode")) {
      if (!(o.get("mode") instanceof String m)) {
        throw HttpError.badRequest(
            "\"mode\" must be a string; found " + JsonValues.describe(o.get("mode")));
      }
      mode = m;
    }
    List<String> filters = new ArrayList<>();
    Object f = o.get("filter");
    if (f instanceof String s) {
      filters.add(s);
    } else if (f instanceof List<?> l) {
      for (Object e : l) {
        if (!(e instanceof String s)) {
          throw HttpError.badRequest(
              "\"filter\" must be FIELD=VALUE strings; found " + JsonValues.describe(e));
        }
        filters.add(s);
      }
    } else if (f != null) {
      throw HttpError.badRequest(
          "\"filter\" must be a FIELD=VALUE string or an array of them; found "
              + JsonValues.describe(f));
    }
    return new SearchParams(text, vector, k, mode, filters);
  }
}
