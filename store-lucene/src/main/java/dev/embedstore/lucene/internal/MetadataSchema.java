package dev.embedstore.lucene.internal;

import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.spi.MetadataTypes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A store's metadata fields and their types, and everything that depends on them in Lucene: how
 * values are indexed and stored ({@code m.<field>}: {@link LongField} / {@link DoubleField} with
 * points and doc values, {@link StringField} terms for strings, booleans and list elements), read
 * back, and matched by {@link Filter}s with the meaning {@link Filter}'s javadoc gives. Filter
 * values are only ever terms, numbers or escaped wildcard patterns, never parsed as query syntax.
 *
 * <p><b>NOTE</b>: thread-safe.
 */
public final class MetadataSchema {
  /** Every chunk: the base of a negation and of an empty conjunction. */
  private static final Query CHUNKS = new TermQuery(new Term(Fields.KIND, Fields.CHUNK));

  private final Map<String, String> types = new ConcurrentHashMap<>();

  /** A schema with no fields. */
  public MetadataSchema() {}

  /**
   * A sorted, unmodifiable copy of the field types.
   *
   * @return the types
   */
  public SortedMap<String, String> types() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(types));
  }

  /**
   * The live field types, for {@link dev.embedstore.store.spi.StoreWriter#metadataTypes()}.
   *
   * @return the types; not to be changed by the caller
   */
  public Map<String, String> view() {
    return Collections.unmodifiableMap(types);
  }

  /**
   * Adds field types.
   *
   * @param more types by field
   */
  public void putAll(Map<String, String> more) {
    types.putAll(more);
  }

  // ---------------------------------------------------------------------------------------------
  // Filters

  /**
   * Translates a filter into a Lucene query over chunks, with each field's stored type.
   *
   * @param f the filter
   * @return the query
   * @throws IllegalArgumentException if a value is not one of its field's type (a word on a numeric
   *     field), or a range is asked of a bool field
   */
  public Query toQuery(Filter f) {
    return switch (f) {
      case Filter.Equals e -> anyOf(e.field(), List.of(e.value()));
      case Filter.AnyOf a -> anyOf(a.field(), new ArrayList<>(a.values()));
      case Filter.Range r -> range(r);
      case Filter.Contains c -> contains(c);
      case Filter.Exists e -> exists(e.field());
      case Filter.IdIn ids -> idIn(ids.ids());
      case Filter.And and -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(CHUNKS, Occur.FILTER);
        for (Filter x : and.filters()) {
          b.add(toQuery(x), Occur.FILTER);
        }
        yield b.build();
      }
      case Filter.Or or -> {
        if (or.filters().isEmpty()) {
          yield new MatchNoDocsQuery("an empty or");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        for (Filter x : or.filters()) {
          b.add(toQuery(x), Occur.SHOULD);
        }
        yield b.build();
      }
      case Filter.Not not ->
          new BooleanQuery.Builder()
              .add(CHUNKS, Occur.FILTER)
              .add(toQuery(not.filter()), Occur.MUST_NOT)
              .build();
    };
  }

  private static String name(String field) {
    return Fields.META_PREFIX + field;
  }

  private Query anyOf(String field, List<Object> values) {
    String type = types.get(field);
    if (type == null || values.isEmpty()) {
      return new MatchNoDocsQuery("no document has metadata field " + field);
    }
    switch (type) {
      case MetadataTypes.LONG -> {
        List<Long> longs = new ArrayList<>();
        for (Object v : values) {
          Num x = Num.of(field, type, v);
          if (x.isFinite()
              && x.value().stripTrailingZeros().scale() <= 0
              && x.value().compareTo(LONG_MIN) >= 0
              && x.value().compareTo(LONG_MAX) <= 0) {
            longs.add(x.value().longValueExact());
          }
        }
        return longs.isEmpty()
            ? new MatchNoDocsQuery("no long equals " + values)
            : LongField.newSetQuery(
                name(field), longs.stream().mapToLong(Long::longValue).toArray());
      }
      case MetadataTypes.DOUBLE -> {
        List<Double> doubles = new ArrayList<>();
        for (Object v : values) {
          double d = Num.of(field, type, v).asDouble();
          if (d == 0) {
            doubles.add(0.0); // numerically, 0.0 and -0.0 are one value
            doubles.add(-0.0);
          } else if (!Double.isNaN(d)) {
            doubles.add(d);
          }
        }
        return doubles.isEmpty()
            ? new MatchNoDocsQuery("NaN equals nothing")
            : DoubleField.newSetQuery(
                name(field), doubles.stream().mapToDouble(Double::doubleValue).toArray());
      }
      default -> {
        List<BytesRef> terms = new ArrayList<>();
        for (Object v : values) {
          terms.add(new BytesRef(String.valueOf(v)));
        }
        return terms.size() == 1
            ? new TermQuery(new Term(name(field), terms.get(0)))
            : new TermInSetQuery(name(field), terms);
      }
    }
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * A filter value as a number: exact when finite (a long as it is, a double as the exact value of
   * its bits), else an infinity or NaN.
   *
   * @param value the exact value when finite, else null
   * @param special {@code +inf}, {@code -inf} or NaN when not finite
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
        case Short sh -> {
          return new Num(BigDecimal.valueOf(sh), 0);
        }
        case Byte b -> {
          return new Num(BigDecimal.valueOf(b), 0);
        }
        case BigDecimal bd -> {
          return new Num(bd, 0);
        }
        case java.math.BigInteger bi -> {
          return new Num(new BigDecimal(bi), 0);
        }
        case Number n -> {
          return ofDouble(n.doubleValue());
        }
        default -> {
          String s = String.valueOf(v).strip();
          try {
            return new Num(new BigDecimal(s), 0);
          } catch (NumberFormatException e) {
            try {
              return ofDouble(Double.parseDouble(s)); // Infinity, NaN
            } catch (NumberFormatException e2) {
              throw new IllegalArgumentException(
                  "metadata field "
                      + field
                      + " holds "
                      + type
                      + " values; "
                      + v
                      + " is not a number",
                  e2);
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

    /** The nearest double; -0.0 and 0.0 both come back as 0.0 (they are one number). */
    double asDouble() {
      return value != null ? value.doubleValue() : special;
    }
  }

  private Query range(Filter.Range r) {
    String field = r.field();
    String type = types.get(field);
    if (type == null) {
      return new MatchNoDocsQuery("no document has metadata field " + field);
    }
    return switch (type) {
      case MetadataTypes.LONG -> longRange(r, type);
      case MetadataTypes.DOUBLE -> doubleRange(r, type);
      case MetadataTypes.STRING ->
          TermRangeQuery.newStringRange(
              name(field),
              r.min() == null ? null : String.valueOf(r.min()),
              r.max() == null ? null : String.valueOf(r.max()),
              r.min() == null || r.includeMin(),
              r.max() == null || r.includeMax());
      default ->
          throw new IllegalArgumentException(
              "metadata field " + field + " holds " + type + " values, which have no order");
    };
  }

  private static Query longRange(Filter.Range r, String type) {
    String field = r.field();
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    if (r.min() != null) {
      Num m = Num.of(field, type, r.min());
      if (!m.isFinite()) {
        if (m.special() != Double.NEGATIVE_INFINITY) {
          return new MatchNoDocsQuery("no long lies above " + r.min());
        }
      } else {
        BigDecimal c = m.value().setScale(0, java.math.RoundingMode.CEILING);
        if (!r.includeMin() && c.compareTo(m.value()) == 0) {
          c = c.add(BigDecimal.ONE);
        }
        if (c.compareTo(LONG_MAX) > 0) {
          return new MatchNoDocsQuery("no long lies above " + r.min());
        }
        lo = c.max(LONG_MIN).longValueExact();
      }
    }
    if (r.max() != null) {
      Num m = Num.of(field, type, r.max());
      if (!m.isFinite()) {
        if (m.special() != Double.POSITIVE_INFINITY) {
          return new MatchNoDocsQuery("no long lies below " + r.max());
        }
      } else {
        BigDecimal f = m.value().setScale(0, java.math.RoundingMode.FLOOR);
        if (!r.includeMax() && f.compareTo(m.value()) == 0) {
          f = f.subtract(BigDecimal.ONE);
        }
        if (f.compareTo(LONG_MIN) < 0) {
          return new MatchNoDocsQuery("no long lies below " + r.max());
        }
        hi = f.min(LONG_MAX).longValueExact();
      }
    }
    return lo > hi
        ? new MatchNoDocsQuery("an empty range")
        : LongField.newRangeQuery(name(field), lo, hi);
  }

  /**
   * A range of doubles by their numeric order: -0.0 and 0.0 are one number here, where Lucene's
   * point encoding orders -0.0 first, so bounds at zero take the zero that includes (or excludes)
   * both.
   */
  private static Query doubleRange(Filter.Range r, String type) {
    String field = r.field();
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    if (r.min() != null) {
      double m = Num.of(field, type, r.min()).asDouble();
      if (Double.isNaN(m)) {
        return new MatchNoDocsQuery("nothing lies above NaN");
      }
      lo =
          m == 0 ? (r.includeMin() ? -0.0 : Double.MIN_VALUE) : r.includeMin() ? m : Math.nextUp(m);
    }
    if (r.max() != null) {
      double m = Num.of(field, type, r.max()).asDouble();
      if (Double.isNaN(m)) {
        return new MatchNoDocsQuery("nothing lies below NaN");
      }
      hi =
          m == 0
              ? (r.includeMax() ? 0.0 : -Double.MIN_VALUE)
              : r.includeMax() ? m : Math.nextDown(m);
    }
    return Double.compare(lo, hi) > 0
        ? new MatchNoDocsQuery("an empty range")
        : DoubleField.newRangeQuery(name(field), lo, hi);
  }

  private Query contains(Filter.Contains c) {
    String type = types.get(c.field());
    if (!MetadataTypes.STRING.equals(type)) {
      return new MatchNoDocsQuery("no string field " + c.field());
    }
    StringBuilder pattern = new StringBuilder().append(WildcardQuery.WILDCARD_STRING);
    for (int i = 0; i < c.substring().length(); i++) {
      char ch = c.substring().charAt(i);
      if (ch == WildcardQuery.WILDCARD_STRING
          || ch == WildcardQuery.WILDCARD_CHAR
          || ch == WildcardQuery.WILDCARD_ESCAPE) {
        pattern.append(WildcardQuery.WILDCARD_ESCAPE);
      }
      pattern.append(ch);
    }
    pattern.append(WildcardQuery.WILDCARD_STRING);
    return new WildcardQuery(new Term(name(c.field()), pattern.toString()));
  }

  private Query exists(String field) {
    String type = types.get(field);
    if (type == null) {
      return new MatchNoDocsQuery("no document has metadata field " + field);
    }
    return switch (type) {
      case MetadataTypes.LONG, MetadataTypes.DOUBLE -> new FieldExistsQuery(name(field));
      default -> TermRangeQuery.newStringRange(name(field), null, null, true, true);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Indexing and reading back

  /**
   * Adds metadata to a Lucene document: indexed for filters, stored to be read back.
   *
   * @param doc the chunk's document
   * @param metadata the metadata
   */
  public static void addFields(
      org.apache.lucene.document.Document doc, Map<String, Object> metadata) {
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      String field = name(e.getKey());
      switch (e.getValue()) {
        case Long l -> doc.add(new LongField(field, l, Field.Store.YES));
        case Double d -> doc.add(new DoubleField(field, d, Field.Store.YES));
        case Boolean b -> {
          doc.add(new StringField(field, b.toString(), Field.Store.YES));
          doc.add(new StoredField(Fields.META_BOOLEANS, e.getKey()));
        }
        case List<?> list -> {
          for (Object o : list) {
            doc.add(new StringField(field, (String) o, Field.Store.YES));
          }
          doc.add(new StoredField(Fields.META_LISTS, e.getKey()));
        }
        default -> doc.add(new StringField(field, e.getValue().toString(), Field.Store.YES));
      }
    }
  }

  /**
   * Reads back what {@link #addFields} wrote, with each value's type.
   *
   * @param doc the stored fields of a chunk
   * @return the metadata
   */
  public static Map<String, Object> read(org.apache.lucene.document.Document doc) {
    Set<String> booleans = new HashSet<>(List.of(doc.getValues(Fields.META_BOOLEANS)));
    Set<String> lists = new HashSet<>(List.of(doc.getValues(Fields.META_LISTS)));
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, List<String>> listValues = new LinkedHashMap<>();
    for (IndexableField f : doc.getFields()) {
      if (!f.name().startsWith(Fields.META_PREFIX)) {
        continue;
      }
      String key = f.name().substring(Fields.META_PREFIX.length());
      if (lists.contains(key)) {
        listValues.computeIfAbsent(key, k -> new ArrayList<>()).add(f.stringValue());
        out.putIfAbsent(key, List.of());
      } else if (booleans.contains(key)) {
        out.put(key, Boolean.parseBoolean(f.stringValue()));
      } else if (f.numericValue() != null) {
        Number n = f.numericValue();
        out.put(
            key,
            n instanceof Double || n instanceof Float
                ? (Object) n.doubleValue()
                : (Object) n.longValue());
      } else {
        out.put(key, f.stringValue());
      }
    }
    for (String key : lists) {
      out.putIfAbsent(key, List.of()); // an empty list leaves no values, only its name
    }
    for (Map.Entry<String, List<String>> e : listValues.entrySet()) {
      out.put(e.getKey(), List.copyOf(e.getValue()));
    }
    return out;
  }

  /**
   * Checks a document's metadata types against the schema and the pending types.
   *
   * @param d the document
   * @param pending types first seen in the current batch
   */
  public void check(Document d, Map<String, String> pending) {
    MetadataTypes.check(d, types, pending);
  }

  /**
   * The chunks of some document ids: Lucene's {@link TermInSetQuery} on the id field. (A
   * per-segment RoaringBitmap of the ids' doc ids was measured against it at 10k, 100k and 1M ids
   * of 1M documents and was slower at every size: see {@code IdAllowListBenchmark}.)
   */
  private static Query idIn(Set<String> ids) {
    if (ids.isEmpty()) {
      return new MatchNoDocsQuery("no ids");
    }
    List<BytesRef> terms = new ArrayList<>(ids.size());
    for (String id : ids) {
      terms.add(new BytesRef(id));
    }
    return new TermInSetQuery(Fields.ID, terms);
  }
}
