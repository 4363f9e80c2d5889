package dev.embedstore.langchain4j.internal;

import dev.langchain4j.data.document.Metadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How langchain4j metadata is kept in an Embedstore store: one store field per (key, Java type).
 *
 * <p>A store field keeps one type for ever and normalises Integer to Long and Float to Double,
 * while langchain4j metadata has six exact types and one key may hold any of them from one segment
 * to the next. So each key is stored under a field named after the key and its type:
 *
 * <table>
 *   <caption>store fields of a langchain4j key {@code k}</caption>
 *   <tr><th>Java type</th><th>store field</th><th>store type</th><th>stored value</th></tr>
 *   <tr><td>String</td><td>{@code k}</td><td>string</td><td>the string</td></tr>
 *   <tr><td>UUID</td><td>{@code k#uuid}</td><td>string</td><td>its canonical lower-case form</td></tr>
 *   <tr><td>Integer</td><td>{@code k#int}</td><td>long</td><td>the value</td></tr>
 *   <tr><td>Long</td><td>{@code k#long}</td><td>long</td><td>the value</td></tr>
 *   <tr><td>Float</td><td>{@code k#float}</td><td>double</td><td>the value widened, exactly</td></tr>
 *   <tr><td>Double</td><td>{@code k#double}</td><td>double</td><td>the value</td></tr>
 * </table>
 *
 * <p>Strings keep the bare key, so other clients of the store (the CLI, Spring AI) see them under
 * their own name. A string key that itself ends with one of the suffixes above (or {@code #str} or
 * {@code #lc4j}) is stored as {@code k#str}, so that every store field decodes to exactly one (key,
 * type). Fields ending in {@code #lc4j} are the adapter's own ({@link #NO_SEGMENT}).
 *
 * <p>Reading back, a suffixed field gives its exact type; a field without a suffix, written by
 * another client, comes back as its store value (String, Long or Double), a boolean as its string
 * and a list as its elements joined by commas (langchain4j metadata has no such types).
 *
 * <p>Static helpers only; thread-safe.
 */
public final class MetadataCodec {
  /** Separates a key from its type in a field name. */
  public static final char SEPARATOR = '#';

  /**
   * The adapter's marker, set (to true) on embeddings added without a text segment, so that a
   * search gives them back with no segment rather than with an empty one.
   */
  public static final String NO_SEGMENT = "segment#lc4j";

  private static final String INTERNAL = "lc4j";

  /** The Java types of langchain4j metadata and their field suffixes. */
  public enum Kind {
    /** {@link String}: the bare key (or {@code #str}). */
    STRING("str"),
    /** {@link UUID}: {@code #uuid}. */
    UUID("uuid"),
    /** {@link Integer}: {@code #int}. */
    INTEGER("int"),
    /** {@link Long}: {@code #long}. */
    LONG("long"),
    /** {@link Float}: {@code #float}. */
    FLOAT("float"),
    /** {@link Double}: {@code #double}. */
    DOUBLE("double");

    private final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }

    /**
     * The suffix of this type's fields, without the separator.
     *
     * @return the suffix
     */
    public String suffix() {
      return suffix;
    }

    static Kind bySuffix(String s) {
      for (Kind k : values()) {
        if (k.suffix.equals(s)) {
          return k;
        }
      }
      return null;
    }
  }

  private MetadataCodec() {}

  /**
   * The store field of a key at a type.
   *
   * @param key the langchain4j metadata key
   * @param kind the value's type
   * @return the field name
   */
  public static String field(String key, Kind kind) {
    if (kind == Kind.STRING && !endsWithReservedSuffix(key)) {
      return key;
    }
    return key + SEPARATOR + kind.suffix();
  }

  private static boolean endsWithReservedSuffix(String key) {
    int sep = key.lastIndexOf(SEPARATOR);
    if (sep < 0) {
      return false;
    }
    String suffix = key.substring(sep + 1);
    return INTERNAL.equals(suffix) || Kind.bySuffix(suffix) != null;
  }

  /**
   * The type of a langchain4j metadata value.
   *
   * @param value a value langchain4j's {@link Metadata} accepts
   * @return its type
   * @throws IllegalArgumentException for any other type, naming it
   */
  public static Kind kindOf(Object value) {
    return switch (value) {
      case String s -> Kind.STRING;
      case java.util.UUID u -> Kind.UUID;
      case Integer i -> Kind.INTEGER;
      case Long l -> Kind.LONG;
      case Float f -> Kind.FLOAT;
      case Double d -> Kind.DOUBLE;
      default ->
          throw new IllegalArgumentException(
              "langchain4j metadata holds String, UUID, Integer, Long, Float or Double values, not "
                  + value.getClass().getName());
    };
  }

  /**
   * A segment's metadata as store metadata.
   *
   * @param metadata the langchain4j metadata
   * @return the store fields and values, in the metadata's order
   */
  public static Map<String, Object> encode(Metadata metadata) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : metadata.toMap().entrySet()) {
      Object v = e.getValue();
      Kind kind = kindOf(v);
      Object stored =
          switch (kind) {
            case UUID -> v.toString();
            case INTEGER -> (long) (Integer) v;
            case FLOAT -> (double) (Float) v;
            default -> v;
          };
      out.put(field(e.getKey(), kind), stored);
    }
    return out;
  }

  /**
   * Store metadata as langchain4j metadata, each value with the Java type it was added with.
   *
   * @param stored the store fields and values
   * @return the metadata, without the adapter's own fields
   */
  public static Metadata decode(Map<String, Object> stored) {
    Metadata out = new Metadata();
    for (Map.Entry<String, Object> e : stored.entrySet()) {
      String field = e.getKey();
      Object v = e.getValue();
      int sep = field.lastIndexOf(SEPARATOR);
      String suffix = sep < 0 ? null : field.substring(sep + 1);
      if (INTERNAL.equals(suffix)) {
        continue;
      }
      Kind kind = suffix == null ? null : Kind.bySuffix(suffix);
      Object typed = kind == null ? null : typed(kind, v);
      if (typed != null) {
        put(out, field.substring(0, sep), typed);
      } else {
        putForeign(out, field, v);
      }
    }
    return out;
  }

  /**
   * Puts a value of any type langchain4j's metadata holds.
   *
   * @param m the metadata
   * @param key the key
   * @param v a String, UUID, Integer, Long, Float or Double
   * @return the metadata
   */
  public static Metadata put(Metadata m, String key, Object v) {
    return switch (v) {
      case String s -> m.put(key, s);
      case java.util.UUID u -> m.put(key, u);
      case Integer i -> m.put(key, i);
      case Long l -> m.put(key, l);
      case Float f -> m.put(key, f);
      case Double d -> m.put(key, d);
      default -> throw new IllegalArgumentException(kindOf(v) + " " + v);
    };
  }

  /** The value in its langchain4j type, or null when the stored value does not fit the suffix. */
  private static Object typed(Kind kind, Object v) {
    return switch (kind) {
      case STRING -> v instanceof String s ? s : null;
      case UUID -> v instanceof String s ? parseUuid(s) : null;
      case INTEGER ->
          (v instanceof Long || v instanceof Integer)
                  && ((Number) v).longValue() == ((Number) v).intValue()
              ? (Object) ((Number) v).intValue()
              : null;
      case LONG -> v instanceof Long || v instanceof Integer ? ((Number) v).longValue() : null;
      case FLOAT ->
          (v instanceof Double || v instanceof Float)
                  && Double.compare(((Number) v).floatValue(), ((Number) v).doubleValue()) == 0
              ? (Object) ((Number) v).floatValue()
              : null;
      case DOUBLE -> v instanceof Double || v instanceof Float ? ((Number) v).doubleValue() : null;
    };
  }

  private static java.util.UUID parseUuid(String s) {
    try {
      java.util.UUID u = java.util.UUID.fromString(s);
      return u.toString().equals(s) ? u : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A field another client wrote (or one whose value does not fit its suffix), as it is. */
  private static void putForeign(Metadata out, String field, Object v) {
    switch (v) {
      case String s -> out.put(field, s);
      case Long l -> out.put(field, l);
      case Double d -> out.put(field, d);
      case List<?> list ->
          out.put(field, String.join(",", list.stream().map(String::valueOf).toList()));
      default -> out.put(field, String.valueOf(v));
    }
  }
}
