package dev.embedstore.testing;

import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What a {@link Filter} means, evaluated on a document by brute force: the reference that every
 * backend's filter translation (and every framework adapter's) is checked against.
 *
 * <ul>
 *   <li>{@code Equals(field, value)}: the field holds the value; on a list field, one element does.
 *       Values compare by the field's type: a number equals a numeric field's value when they are
 *       the same number ({@code 2010} and {@code 2010.0} and {@code "2010"} equal a long 2010;
 *       {@code 2010.5} equals no long), a string field compares the value's string form, a bool
 *       field {@code true} or {@code "true"}.
 *   <li>{@code AnyOf(field, values)}: an {@code Equals} for one of the values.
 *   <li>{@code Range}: a numeric field's value lies between numbers, a string field's between
 *       strings by code point; each end included or not.
 *   <li>{@code Contains(field, s)}: a string value contains {@code s}.
 *   <li>{@code Exists(field)}: the document has a value for the field.
 *   <li>A document without the field matches none of the above; {@code Not} of them matches it.
 *   <li>{@code IdIn}, {@code And} (all; none given: every document), {@code Or} (any; none given:
 *       no document), {@code Not}.
 * </ul>
 */
public final class FilterOracle {
  private FilterOracle() {}

  /**
   * Whether a document matches a filter.
   *
   * @param f the filter
   * @param d the document
   * @return whether it matches
   */
  public static boolean matches(Filter f, Document d) {
    Map<String, Object> m = d.metadata();
    return switch (f) {
      case Filter.Equals e -> equalsValue(m.get(e.field()), e.value());
      case Filter.AnyOf a -> a.values().stream().anyMatch(v -> equalsValue(m.get(a.field()), v));
      case Filter.Range r -> anyValue(m.get(r.field()), v -> inRange(v, r));
      case Filter.Contains c ->
          anyValue(m.get(c.field()), v -> v instanceof String str && str.contains(c.substring()));
      case Filter.Exists e ->
          m.containsKey(e.field()) && !(m.get(e.field()) instanceof List<?> l && l.isEmpty());
      case Filter.IdIn ids -> ids.ids().contains(d.id());
      case Filter.And and -> and.filters().stream().allMatch(x -> matches(x, d));
      case Filter.Or or -> or.filters().stream().anyMatch(x -> matches(x, d));
      case Filter.Not not -> !matches(not.filter(), d);
    };
  }

  private static boolean equalsValue(Object held, Object value) {
    return switch (held) {
      case null -> false;
      case List<?> list -> list.contains(String.valueOf(value));
      case Long l -> {
        java.math.BigDecimal x = exact(value);
        yield x != null && x.compareTo(java.math.BigDecimal.valueOf(l)) == 0;
      }
      case Double x -> {
        Double y = number(value);
        yield y != null && y.doubleValue() == x.doubleValue(); // -0.0 == 0.0; NaN equals nothing
      }
      case Boolean b -> String.valueOf(value).equals(b.toString());
      default -> held.equals(String.valueOf(value));
    };
  }

  /** A value as an exact finite number, or null (NaN, an infinity, not a number). */
  private static java.math.BigDecimal exact(Object value) {
    if (value instanceof Long || value instanceof Integer) {
      return java.math.BigDecimal.valueOf(((Number) value).longValue());
    }
    Double d = number(value);
    if (value instanceof String str) {
      try {
        return new java.math.BigDecimal(str.strip());
      } catch (NumberFormatException e) {
        // Not a decimal: "Infinity", "NaN" or not a number at all.
      }
    }
    return d == null || !Double.isFinite(d) ? null : new java.math.BigDecimal(d);
  }

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

  private static boolean anyValue(Object held, java.util.function.Predicate<Object> p) {
    if (held == null) {
      return false;
    }
    if (held instanceof List<?> list) {
      return list.stream().anyMatch(p);
    }
    return p.test(held);
  }

  private static boolean inRange(Object held, Filter.Range r) {
    int lo;
    int hi;
    switch (held) {
      case Long l -> {
        lo = r.min() == null ? 1 : compareLong(l, r.min());
        hi = r.max() == null ? -1 : compareLong(l, r.max());
      }
      case Double x -> {
        double m = r.min() == null ? Double.NEGATIVE_INFINITY : requireNumber(r.min());
        double n = r.max() == null ? Double.POSITIVE_INFINITY : requireNumber(r.max());
        if (Double.isNaN(m) || Double.isNaN(n) || Double.isNaN(x)) {
          return false;
        }
        // Numeric order: -0.0 and 0.0 are one number.
        lo = r.min() == null ? 1 : x > m ? 1 : x == m ? 0 : -1;
        hi = r.max() == null ? -1 : x < n ? -1 : x == n ? 0 : 1;
      }
      case String str -> {
        lo = r.min() == null ? 1 : compareCodePoints(str, String.valueOf(r.min()));
        hi = r.max() == null ? -1 : compareCodePoints(str, String.valueOf(r.max()));
      }
      default -> throw new IllegalArgumentException("a range on a bool field: " + r);
    }
    if (lo == 2 || hi == 2) {
      return false;
    }
    return (lo > 0 || (lo == 0 && r.includeMin())) && (hi < 0 || (hi == 0 && r.includeMax()));
  }

  /** Compares a long with a bound exactly; an infinite bound is beyond every long, NaN none. */
  private static int compareLong(long l, Object bound) {
    java.math.BigDecimal b = exact(bound);
    if (b != null) {
      return java.math.BigDecimal.valueOf(l).compareTo(b);
    }
    double d = requireNumber(bound);
    if (Double.isNaN(d)) {
      return 2; // neither above nor below: the range holds nothing
    }
    return d > 0 ? -1 : 1;
  }

  private static double requireNumber(Object end) {
    Double d = number(end);
    if (d == null) {
      throw new IllegalArgumentException("not a number: " + end);
    }
    return d;
  }

  /**
   * Compares strings by code point, the order of their UTF-8 bytes.
   *
   * @param a a string
   * @param b another
   * @return negative, zero or positive
   */
  public static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /**
   * A random filter over the fields of {@link #metadata(Random, int)}, nested up to {@code depth}
   * levels.
   *
   * @param random the source of randomness
   * @param ids ids to draw allow-lists from
   * @param depth how deep And/Or/Not may nest
   * @return the filter
   */
  public static Filter random(Random random, List<String> ids, int depth) {
    int kind = random.nextInt(depth > 0 ? 13 : 10);
    return switch (kind) {
      case 0 -> Filter.eq("tag", "t" + random.nextInt(6));
      case 1 -> Filter.eq("year", 2000 + random.nextInt(26));
      case 2 ->
          random.nextBoolean()
              ? new Filter.AnyOf(
                  "tag", new HashSet<>(List.of("t" + random.nextInt(6), "t" + random.nextInt(6))))
              : new Filter.AnyOf(
                  "year",
                  new HashSet<>(List.of(2000 + random.nextInt(26), 2000 + random.nextInt(26))));
      case 3 -> {
        int lo = 2000 + random.nextInt(26);
        yield random.nextBoolean()
            ? new Filter.Range("year", lo, lo + random.nextInt(8))
            : new Filter.Range("score", random.nextDouble() * 50, null);
      }
      case 4 ->
          random.nextBoolean()
              ? Filter.eq("even", random.nextBoolean())
              : Filter.eq("tags", "b" + random.nextInt(4));
      case 5 -> {
        List<String> allowed = new ArrayList<>();
        for (int i = random.nextInt(20); i > 0; i--) {
          allowed.add(ids.get(random.nextInt(ids.size())));
        }
        allowed.add("no-such-id");
        yield new Filter.IdIn(Set.copyOf(allowed));
      }
      case 6 -> Filter.eq(random.nextBoolean() ? "opt" : "missing", "o" + random.nextInt(3));
      case 7 -> {
        String a = "t" + random.nextInt(6);
        String b = random.nextInt(3) == 0 ? null : "t" + random.nextInt(6);
        yield new Filter.Range(
            random.nextBoolean() ? "tag" : "tags",
            b != null && random.nextInt(3) == 0 ? null : a,
            random.nextBoolean(),
            b,
            random.nextBoolean());
      }
      case 8 ->
          random.nextBoolean()
              ? new Filter.Contains(
                  random.nextBoolean() ? "tag" : "tags", random.nextBoolean() ? "1" : "b")
              : new Filter.Exists(
                  random.nextBoolean() ? "opt" : random.nextBoolean() ? "year" : "missing");
      case 9 -> {
        int lo = 2000 + random.nextInt(26);
        yield new Filter.Range(
            random.nextBoolean() ? "year" : "score",
            random.nextBoolean() ? lo : lo - 1995.5,
            random.nextBoolean(),
            random.nextBoolean() ? null : lo + 3,
            random.nextBoolean());
      }
      case 10 -> new Filter.Not(random(random, ids, depth - 1));
      case 11 -> {
        List<Filter> all = new ArrayList<>();
        for (int i = random.nextInt(3) + 1; i > 0; i--) {
          all.add(random(random, ids, depth - 1));
        }
        yield new Filter.And(all);
      }
      default -> {
        List<Filter> any = new ArrayList<>();
        for (int i = random.nextInt(3) + 1; i > 0; i--) {
          any.add(random(random, ids, depth - 1));
        }
        yield new Filter.Or(any);
      }
    };
  }

  /**
   * The metadata of the {@code i}-th document of a test corpus: {@code tag} (string), {@code year}
   * (long), {@code score} (double), {@code even} (bool), {@code tags} (list), and {@code opt}
   * (string) on some documents only.
   *
   * @param random the source of randomness
   * @param i the document's number
   * @return the metadata
   */
  public static Map<String, Object> metadata(Random random, int i) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("tag", "t" + random.nextInt(5));
    m.put("year", 2000 + random.nextInt(25));
    m.put("score", Math.round(random.nextDouble() * 1000) / 10.0);
    m.put("even", i % 2 == 0);
    m.put("tags", List.of("a" + random.nextInt(2), "b" + random.nextInt(3)));
    if (random.nextInt(3) == 0) {
      m.put("opt", "o" + random.nextInt(3));
    }
    return m;
  }
}
