package dev.embedstore.solr.internal;

import dev.embedstore.store.Filter;
import dev.embedstore.store.spi.MetadataTypes;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * <p>Values compare by the type of the field ({@link MetadataTypes}): numbers as numbers, exactly,
 * on numeric fields ({@code "2010"} and {@code 2010.0} equal a long 2010, {@code 2010.5} equals
 * none, longs beyond 2^53 are not rounded, -0.0 and 0.0 are one number, NaN equals and bounds
 * nothing, infinities bound everything); string forms on string fields. A field the store does not
 * know matches nothing.
 *
 * <p>Static; thread-safe.
 */
public final class FilterQueries {
  /** Matches every document. */
  public static final String ALL = "*:*";

  /** Matches no document. */
  public static final String NONE = "(*:* -*:*)";

  private static final HexFormat HEX = HexFormat.of();
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

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
        Num x = Num.of(field, type, value);
        if (!x.isFinite()
            || x.value().stripTrailingZeros().scale() > 0
            || x.value().compareTo(LONG_MIN) < 0
            || x.value().compareTo(LONG_MAX) > 0) {
          return NONE; // no long equals a fraction, an infinity or NaN
        }
        return solr + ":" + quote(Long.toString(x.value().longValueExact()));
      }
      case MetadataTypes.DOUBLE -> {
        double d = Num.of(field, type, value).asDouble();
        if (Double.isNaN(d)) {
          return NONE;
        }
        if (d == 0) {
          return solr + ":[-0.0 TO 0.0]"; // one number; the point encoding puts -0.0 first
        }
        return solr + ":" + quote(Double.toString(d));
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
        return longRange(r, type, solr);
      }
      case MetadataTypes.DOUBLE -> {
        return doubleRange(r, type, solr);
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

  private static String longRange(Filter.Range r, String type, String solr) {
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    if (r.min() != null) {
      Num m = Num.of(r.field(), type, r.min());
      if (!m.isFinite()) {
        if (m.special() != Double.NEGATIVE_INFINITY) {
          return NONE; // nothing lies above +inf or NaN
        }
      } else {
        BigDecimal c = m.value().setScale(0, RoundingMode.CEILING);
        if (!r.includeMin() && c.compareTo(m.value()) == 0) {
          c = c.add(BigDecimal.ONE);
        }
        if (c.compareTo(LONG_MAX) > 0) {
          return NONE;
        }
        lo = c.max(LONG_MIN).longValueExact();
      }
    }
    if (r.max() != null) {
      Num m = Num.of(r.field(), type, r.max());
      if (!m.isFinite()) {
        if (m.special() != Double.POSITIVE_INFINITY) {
          return NONE; // nothing lies below -inf or NaN
        }
      } else {
        BigDecimal f = m.value().setScale(0, RoundingMode.FLOOR);
        if (!r.includeMax() && f.compareTo(m.value()) == 0) {
          f = f.subtract(BigDecimal.ONE);
        }
        if (f.compareTo(LONG_MIN) < 0) {
          return NONE;
        }
        hi = f.min(LONG_MAX).longValueExact();
      }
    }
    return lo > hi ? NONE : rangeQuery(solr, Long.toString(lo), true, Long.toString(hi), true);
  }

  /**
   * A range of doubles in numeric order, both ends inclusive and explicit (so NaN, which the point
   * encoding puts above +inf, never matches). -0.0 and 0.0 are one number, where the encoding puts
   * -0.0 first: an end at zero takes the zero that includes, or excludes, both.
   */
  private static String doubleRange(Filter.Range r, String type, String solr) {
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    if (r.min() != null) {
      double m = Num.of(r.field(), type, r.min()).asDouble();
      if (Double.isNaN(m)) {
        return NONE;
      }
      lo =
          m == 0 ? (r.includeMin() ? -0.0 : Double.MIN_VALUE) : r.includeMin() ? m : Math.nextUp(m);
    }
    if (r.max() != null) {
      double m = Num.of(r.field(), type, r.max()).asDouble();
      if (Double.isNaN(m)) {
        return NONE;
      }
      hi =
          m == 0
              ? (r.includeMax() ? 0.0 : -Double.MIN_VALUE)
              : r.includeMax() ? m : Math.nextDown(m);
    }
    return Double.compare(lo, hi) > 0
        ? NONE
        : rangeQuery(solr, Double.toString(lo), true, Double.toString(hi), true);
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

  /**
   * A filter value as a number, as {@link Filter} defines the comparison: exact when finite (a long
   * as it is, a double as the exact value of its bits, a decimal string as written), else an
   * infinity or NaN.
   *
   * @param value the exact value when finite, else null
   * @param special the infinity or NaN when not finite
   */
  private record Num(BigDecimal value, double special) {
    static Num of(String field, String type, Object v) {
      switch (v) {
        case Long l -> {
          return new Num(BigDecimal.valueOf(l), 0);
        }
        case Integer i -> {
          return new Num(BigDecimal.valueOf(i), 0);
        }
        case Number n -> {
          return ofDouble(n.doubleValue());
        }
        default -> {
          String s = String.valueOf(v).strip();
          try {
            return new Num(new BigDecimal(s), 0);
          } catch (NumberFormatException notDecimal) {
            try {
              return ofDouble(Double.parseDouble(s)); // Infinity, NaN, hex
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(
                  "metadata field "
                      + field
                      + " holds "
                      + type
                      + " values; "
                      + v
                      + " is not a number",
                  e);
            }
          }
        }
      }
    }

    static Num ofDouble(double d) {
      return Double.isFinite(d) ? new Num(new BigDecimal(d), 0) : new Num(null, d);
    }

    boolean isFinite() {
      return value != null;
    }

    /** The nearest double (-0.0 comes back as 0.0: one number). */
    double asDouble() {
      return value != null ? value.doubleValue() : special;
    }
  }
}
