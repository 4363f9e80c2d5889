package dev.embedstore.store.spi;

import dev.embedstore.store.Document;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rule every backend keeps for metadata: a field's first value fixes its type, one of {@code
 * long}, {@code double}, {@code bool} or {@code string} (a list is strings), and every later value
 * of the field must have it. A backend records the types with its commits, so that a filter on
 * {@code year=2020} is numeric on a numeric field and a term on a string one.
 *
 * <p>Static helpers only; thread-safe.
 */
public final class MetadataTypes {
  /** The type of integral values. */
  public static final String LONG = "long";

  /** The type of floating-point values. */
  public static final String DOUBLE = "double";

  /** The type of booleans. */
  public static final String BOOL = "bool";

  /** The type of strings and lists of strings. */
  public static final String STRING = "string";

  private MetadataTypes() {}

  /**
   * The type of a metadata value as {@link Document} normalises it.
   *
   * @param value a value: Long, Double, Boolean, String or a list of strings
   * @return its type
   */
  public static String typeOf(Object value) {
    return switch (value) {
      case Long l -> LONG;
      case Double d -> DOUBLE;
      case Boolean b -> BOOL;
      default -> STRING;
    };
  }

  /**
   * Checks that a document's metadata fields keep their types.
   *
   * @param d the document
   * @param known the types the store holds
   * @param pending types first seen in the current batch, not yet in the store; the document's new
   *     fields are added to it
   * @throws IllegalArgumentException naming the document and the field when a type changes
   */
  public static void check(Document d, Map<String, String> known, Map<String, String> pending) {
    for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
      String type = typeOf(e.getValue());
      String held = known.get(e.getKey());
      if (held == null) {
        held = pending.putIfAbsent(e.getKey(), type);
      }
      if (held != null && !held.equals(type)) {
        throw new IllegalArgumentException(
            "document "
                + abbreviate(d.id())
                + ": metadata field "
                + e.getKey()
                + " is a "
                + type
                + " here, but the field holds "
                + held
                + " values (in the store or an earlier document); use one type per field");
      }
    }
  }

  /**
   * The types in the form backends keep with their commits: one {@code type TAB field} line per
   * field, sorted by field.
   *
   * @param types the types by field
   * @return the encoded form
   */
  public static String encode(Map<String, String> types) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(types).entrySet()) {
      b.append(e.getValue()).append('\t').append(e.getKey().replace("\n", " ")).append('\n');
    }
    return b.toString();
  }

  /**
   * Reads {@link #encode}'s form.
   *
   * @param s the encoded form; empty for none
   * @return the types by field, modifiable
   */
  public static Map<String, String> decode(String s) {
    Map<String, String> out = new HashMap<>();
    for (String line : s.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        out.put(line.substring(tab + 1), line.substring(0, tab));
      }
    }
    return out;
  }

  /**
   * An id short enough for a message: long ids are cut after 60 characters, never inside a
   * surrogate pair.
   *
   * @param id the id
   * @return the id, or its start and its length
   */
  public static String abbreviate(String id) {
    if (id.length() <= 80) {
      return id;
    }
    int end = Character.isHighSurrogate(id.charAt(59)) ? 59 : 60;
    return id.substring(0, end) + "... (" + id.length() + " chars)";
  }

  /**
   * The values of a metadata value as a list: the list itself, or the one value.
   *
   * @param value the value
   * @return its elements
   */
  public static List<?> valuesOf(Object value) {
    return value instanceof List<?> l ? l : List.of(value);
  }
}
