package dev.embedstore.solr.internal;

import dev.embedstore.store.Filter;
import dev.embedstore.store.spi.MetadataTypes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.solr.client.solrj.util.ClientUtils;

/**
 * Translates a {@link Filter} into Solr's standard query syntax, with the meaning {@link Filter}
 * gives it, for chunks (every chunk carries its document's metadata, so a filter on chunks is a
 * filter on documents).
 *
 * <p>Every value is a literal: strings go inside double quotes ({@link #quote}), or through {@link
 * ClientUtils#escapeQueryChars} in a wildcard term; numbers are written by Java and parsed by Solr;
 * ids become their {@link Fields#docKey hex keys}. Nothing a user gives is ever read as query
 * syntax. Field names are {@link Fields#metadataField encoded}.
 *
 * <p>Values compare by the type of the field ({@link MetadataTypes}): numbers as numbers on numeric
 * fields ({@code "2010"} and {@code 2010.0} equal a long 2010, {@code 2010.5} equals none), string
 * forms on string fields. A field the store does not know matches nothing.
 *
 * <p>Static; thread-safe.
 */
public final class FilterQueries {
  /** Matches every document. */
  public static final String ALL = "*:*";

  /** Matches no document. */
  public static final String NONE = "(*:* -*:*)";

  private static final HexFormat HEX = HexFormat.of();

  private FilterQueries() {}

  /**
   * The query for a filter.
   *
   * @param f the filter
   * @param types the store's metadata field types
   * @return a query in the standard syntax (default operator OR)
   * @throws IllegalArgumentException if the filter cannot hold on its field (a range on a bool
   *     field, a range end that is not a number on a numeric field)
   */
  public static String of(Filter f, Map<String, String> types) {
    return switch (f) {
      case Filter.Equals e -> equalsQuery(e.field(), e.value(), types.get(e.field()));
      case Filter.AnyOf a -> {
        List<String> any = new ArrayList<>();
        for (Object v : a.values()) {
          any.add(equalsQuery(a.field(), v, types.get(a.field())));
        }
        yield or(any);
      }
      case Filter.Range r -> range(r, types.get(r.field()));
      case Filter.Contains c -> contains(c, types.get(c.field()));
      case Filter.Exists e -> exists(e.field(), types.get(e.field()));
      case Filter.IdIn ids -> idIn(ids);
      case Filter.And and -> {
        if (and.filters().isEmpty()) {
          yield ALL;
        }
        StringBuilder b = new StringBuilder("(");
        for (Filter x : and.filters()) {
          b.append(b.length() > 1 ? " +" : "+").append('(').append(of(x, types)).append(')');
        }
        yield b.append(')').toString();
      }
      case Filter.Or or -> {
        List<String> any = new ArrayList<>();
        for (Filter x : or.filters()) {
          any.add(of(x, types));
        }
        yield or(any);
      }
      case Filter.Not not -> "(*:* -(" + of(not.filter(), types) + "))";
    };
  }

  /**
   * The metadata fields a filter names, to tell whether the store knows them all.
   *
   * @param f the filter
   * @param out where the names go
   */
  public static void fieldsOf(Filter f, List<String> out) {
    switch (f) {
      case Filter.Equals e -> out.add(e.field());
      case Filter.AnyOf a -> out.add(a.field());
      case Filter.Range r -> out.add(r.field());
      case Filter.Contains c -> out.add(c.field());
      case Filter.Exists e -> out.add(e.field());
      case Filter.IdIn ids -> {}
      case Filter.And and -> and.filters().forEach(x -> fieldsOf(x, out));
      case Filter.Or or -> or.filters().forEach(x -> fieldsOf(x, out));
      case Filter.Not not -> fieldsOf(not.filter(), out);
    }
  }

  private static String or(List<String> any) {
    if (any.isEmpty()) {
      return NONE;
    }
    if (any.size() == 1) {
      return any.get(0);
    }
    StringBuilder b = new StringBuilder("(");
    for (String q : any) {
      b.append(b.length() > 1 ? " " : "").append('(').append(q).append(')');
    }
    return b.append(')').toString();
  }

  /**
   * A string as a quoted literal of the standard syntax, for a term or a range end. Backslashes,
   * quotes, control characters and surrogates are written as {@code \\uXXXX} escapes, which the
   * parser turns back into the character: a range end's quoted token cannot hold a backslash before
   * a quote, so none is ever written.
   *
   * @param s the string
   * @return the quoted literal
   */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '"' || c < 0x20 || Character.isSurrogate(c)) {
        b.append("\\u").append(HEX.toHexDigits(c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String equalsQuery(String field, Object value, String type) {
    if (type == null) {
      return NONE;
    }
    String solr = Fields.metadataField(type, field);
    switch (type) {
      case MetadataTypes.LONG -> {
        if (value instanceof Long || value instanceof Integer) {
          return solr + ":" + quote(value.toString());
        }
        Double x = number(value);
        if (x == null || x != Math.rint(x) || x < Long.MIN_VALUE || x >= 0x1p63) {
          return NONE;
        }
        return solr + ":" + quote(Long.toString(x.longValue()));
      }
      case MetadataTypes.DOUBLE -> {
        Double x = number(value);
        if (x == null || x.isNaN()) {
          return NONE;
        }
        return solr + ":" + quote(Double.toString(x));
      }
      case MetadataTypes.BOOL -> {
        String s = String.valueOf(value);
        return s.equals("true") || s.equals("false") ? solr + ":" + s : NONE;
      }
      default -> {
        return solr + ":" + quote(String.valueOf(value));
      }
    }
  }

  private static String range(Filter.Range r, String type) {
    if (type == null) {
      return NONE;
    }
    String solr = Fields.metadataField(type, r.field());
    switch (type) {
      case MetadataTypes.BOOL ->
          throw new IllegalArgumentException(
              "a range on " + r.field() + " compares numbers or strings, but it is a bool field");
      case MetadataTypes.LONG -> {
        String lo = "*";
        boolean loIn = true;
        if (r.min() != null) {
          double x = requireNumber(r.field(), r.min());
          if (Double.isNaN(x) || x >= 0x1p63) {
            return NONE;
          }
          if (x >= Long.MIN_VALUE) {
            double c = Math.ceil(x);
            lo = Long.toString((long) c);
            loIn = c != x || r.includeMin();
          }
        }
        String hi = "*";
        boolean hiIn = true;
        if (r.max() != null) {
          double x = requireNumber(r.field(), r.max());
          if (x < Long.MIN_VALUE) {
            return NONE;
          }
          if (!Double.isNaN(x) && x < 0x1p63) {
            double f = Math.floor(x);
            hi = Long.toString((long) f);
            hiIn = f != x || r.includeMax();
          }
        }
        return rangeQuery(solr, lo, loIn, hi, hiIn);
      }
      case MetadataTypes.DOUBLE -> {
        String lo = "*";
        if (r.min() != null) {
          double x = requireNumber(r.field(), r.min());
          if (Double.isNaN(x)) {
            return NONE;
          }
          lo = Double.toString(x);
        }
        String hi = "*";
        if (r.max() != null) {
          double x = requireNumber(r.field(), r.max());
          hi = Double.isNaN(x) ? "*" : Double.toString(x);
        }
        return rangeQuery(
            solr, lo, r.min() == null || r.includeMin(), hi, r.max() == null || r.includeMax());
      }
      default -> {
        String min = r.min() == null ? null : String.valueOf(r.min());
        String max = r.max() == null ? null : String.valueOf(r.max());
        if (max != null && max.isEmpty()) {
          // Nothing is below "": only "" itself can match, when both ends let it.
          boolean fromEmpty = min == null || (min.isEmpty() && r.includeMin());
          return r.includeMax() && fromEmpty ? solr + ":" + quote("") : NONE;
        }
        String lo = "*";
        boolean loIn = true;
        if (min != null && !min.isEmpty()) {
          lo = quote(min);
          loIn = r.includeMin();
        } else if (min != null && !r.includeMin()) {
          lo = quote("\u0000"); // the least string above ""
        }
        String hi = max == null ? "*" : quote(max);
        boolean hiIn = max == null || r.includeMax();
        return rangeQuery(solr, lo, loIn, hi, hiIn);
      }
    }
  }

  private static String rangeQuery(String field, String lo, boolean loIn, String hi, boolean hiIn) {
    return field + ":" + (loIn ? "[" : "{") + lo + " TO " + hi + (hiIn ? "]" : "}");
  }

  private static String contains(Filter.Contains c, String type) {
    if (!MetadataTypes.STRING.equals(type)) {
      return NONE; // only strings contain substrings
    }
    String solr = Fields.metadataField(type, c.field());
    if (c.substring().isEmpty()) {
      return solr + ":*";
    }
    return solr + ":*" + ClientUtils.escapeQueryChars(c.substring()) + "*";
  }

  private static String exists(String field, String type) {
    if (type == null) {
      return NONE;
    }
    String solr = Fields.metadataField(type, field);
    return switch (type) {
      case MetadataTypes.LONG, MetadataTypes.DOUBLE -> solr + ":[* TO *]";
      default -> solr + ":*";
    };
  }

  private static String idIn(Filter.IdIn ids) {
    if (ids.ids().isEmpty()) {
      return NONE;
    }
    StringBuilder b = new StringBuilder("{!terms f=").append(Fields.DOC_KEY).append(" v='");
    boolean first = true;
    for (String id : ids.ids()) {
      b.append(first ? "" : ",").append(Fields.docKey(id));
      first = false;
    }
    return b.append("'}").toString();
  }

  /** A value as a number, as the filter semantics read it; null when it is not one. */
  private static Double number(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(value).strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static double requireNumber(String field, Object end) {
    Double d = number(end);
    if (d == null) {
      throw new IllegalArgumentException(
          "a range on numeric field " + field + " needs numbers; this end is not one: " + end);
    }
    return d;
  }
}
