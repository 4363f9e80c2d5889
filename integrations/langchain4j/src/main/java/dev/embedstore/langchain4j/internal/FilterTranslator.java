package dev.embedstore.langchain4j.internal;

import dev.embedstore.langchain4j.internal.MetadataCodec.Kind;
import dev.embedstore.langchain4j.internal.NumberFilters.FieldType;
import dev.embedstore.langchain4j.internal.NumberFilters.Op;
import dev.embedstore.store.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Translates langchain4j metadata filters into store filters, evaluated by the store before the
 * nearest-neighbour search; nothing is evaluated after it.
 *
 * <p>A condition on key {@code k} becomes an {@link Filter.Or} over the store fields of {@code k}
 * ({@link MetadataCodec}) whose type langchain4j compares with the value's type:
 *
 * <ul>
 *   <li>a String value: the string field; a UUID value: the UUID field, and the string field by the
 *       UUID's canonical form (langchain4j lets a UUID equal a string);
 *   <li>a number: the four numeric fields, with langchain4j's decimal comparison ({@link
 *       NumberFilters});
 *   <li>{@code containsString}: the string field.
 * </ul>
 *
 * <p>A value of a type langchain4j cannot compare with the stored one (a number with a string, a
 * string with a UUID) is where langchain4j's in-memory store throws; here the condition simply does
 * not hold, so {@code isNotEqualTo} and {@code isNotIn}, which are the negations of {@code
 * isEqualTo} and {@code isIn}, hold. A document without the key matches no condition on it but
 * matches the negated ones, as in langchain4j.
 *
 * <p>Two differences with langchain4j's in-memory store, both where it compares strings: strings
 * order by code point here and by UTF-16 unit there, which differ only between characters above
 * U+FFFF and those in U+E000..U+FFFF; and {@code isIn} with UUIDs matches a string value only in
 * the UUID's canonical lower-case spelling (as {@code isEqualTo} does in both), where langchain4j
 * parses the string.
 *
 * <p>Static helpers only; thread-safe.
 */
public final class FilterTranslator {
  private static final FieldType[] NUMERIC = {
    FieldType.INTEGRAL, FieldType.INTEGRAL, FieldType.FLOAT, FieldType.DOUBLE
  };
  private static final Kind[] NUMERIC_KINDS = {Kind.INTEGER, Kind.LONG, Kind.FLOAT, Kind.DOUBLE};

  private FilterTranslator() {}

  /**
   * Translates a filter.
   *
   * @param f the langchain4j filter, or null
   * @return the store filter, or null for none
   * @throws UnsupportedOperationException for a filter class this adapter does not know (one an
   *     application wrote itself), which cannot be evaluated in the store
   * @throws IllegalArgumentException for a comparison with NaN or an infinite number
   */
  public static Filter translate(dev.langchain4j.store.embedding.filter.Filter f) {
    if (f == null) {
      return null;
    }
    return switch (f) {
      case And a -> Filter.and(translate(a.left()), translate(a.right()));
      case Or o -> Filter.or(translate(o.left()), translate(o.right()));
      case Not n -> Filter.not(translate(n.expression()));
      case IsEqualTo e -> equalTo(e.key(), e.comparisonValue());
      case IsNotEqualTo e -> Filter.not(equalTo(e.key(), e.comparisonValue()));
      case IsGreaterThan c -> compare(c.key(), Op.GT, c.comparisonValue());
      case IsGreaterThanOrEqualTo c -> compare(c.key(), Op.GTE, c.comparisonValue());
      case IsLessThan c -> compare(c.key(), Op.LT, c.comparisonValue());
      case IsLessThanOrEqualTo c -> compare(c.key(), Op.LTE, c.comparisonValue());
      case IsIn in -> in(in.key(), in.comparisonValues());
      case IsNotIn in -> Filter.not(in(in.key(), in.comparisonValues()));
      case ContainsString c ->
          new Filter.Contains(MetadataCodec.field(c.key(), Kind.STRING), c.comparisonValue());
      default ->
          throw new UnsupportedOperationException(
              "the metadata filter "
                  + f
                  + " ("
                  + f.getClass().getName()
                  + ") has no Embedstore translation: Embedstore evaluates filters in the index,"
                  + " before the search; use langchain4j's comparison and logical filters");
    };
  }

  private static Filter equalTo(String key, Object value) {
    return switch (value) {
      case String s -> new Filter.Equals(MetadataCodec.field(key, Kind.STRING), s);
      case UUID u ->
          Filter.or(
              new Filter.Equals(MetadataCodec.field(key, Kind.UUID), u.toString()),
              new Filter.Equals(MetadataCodec.field(key, Kind.STRING), u.toString()));
      case Number n -> numeric(key, Op.EQ, n);
      default -> NumberFilters.NOTHING;
    };
  }

  private static Filter compare(String key, Op op, Object value) {
    boolean greater = op == Op.GT || op == Op.GTE;
    boolean inclusive = op == Op.GTE || op == Op.LTE;
    return switch (value) {
      case String s ->
          greater
              ? new Filter.Range(MetadataCodec.field(key, Kind.STRING), s, inclusive, null, false)
              : new Filter.Range(MetadataCodec.field(key, Kind.STRING), null, false, s, inclusive);
      case UUID u -> UuidRanges.compare(MetadataCodec.field(key, Kind.UUID), u, greater, inclusive);
      case Number n -> numeric(key, op, n);
      default -> NumberFilters.NOTHING;
    };
  }

  private static Filter numeric(String key, Op op, Number n) {
    BigDecimal d = NumberFilters.decimal(key, n);
    List<Filter> any = new ArrayList<>(NUMERIC.length);
    for (int i = 0; i < NUMERIC.length; i++) {
      any.add(NumberFilters.compare(MetadataCodec.field(key, NUMERIC_KINDS[i]), NUMERIC[i], op, d));
    }
    return new Filter.Or(any);
  }

  private static Filter in(String key, Collection<?> values) {
    Set<String> strings = new LinkedHashSet<>();
    Set<String> uuids = new LinkedHashSet<>();
    List<Filter> any = new ArrayList<>();
    for (Object v : values) {
      switch (v) {
        case String s -> strings.add(s);
        case UUID u -> uuids.add(u.toString());
        case Number n -> any.add(numeric(key, Op.EQ, n));
        default -> {}
      }
    }
    if (!strings.isEmpty() || !uuids.isEmpty()) {
      Set<String> asStrings = new LinkedHashSet<>(strings);
      asStrings.addAll(uuids);
      any.add(new Filter.AnyOf(MetadataCodec.field(key, Kind.STRING), asStrings));
    }
    if (!uuids.isEmpty()) {
      any.add(new Filter.AnyOf(MetadataCodec.field(key, Kind.UUID), uuids));
    }
    return any.size() == 1 ? any.get(0) : new Filter.Or(any);
  }
}
