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
      case Filter.IdIn ids -> IdAllowList.query(ids.ids());
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
          BigDecimal x = number(field, type, v);
          if (x.stripTrailingZeros().scale() <= 0 && fitsLong(x)) {
            longs.add(x.longValueExact());
          }
        }
        return longs.isEmpty()
            ? new MatchNoDocsQuery("no long equals " + values)
            : LongField.newSetQuery(
                name(field), longs.stream().mapToLong(Long::longValue).toArray());
      }
      case MetadataTypes.DOUBLE -> {
        double[] doubles = new double[values.size()];
        for (int i = 0; i < doubles.length; i++) {
          doubles[i] = number(field, type, values.get(i)).doubleValue();
        }
        return DoubleField.newSetQuery(name(field), doubles);
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

  private static boolean fitsLong(BigDecimal x) {
    return x.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
        && x.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
  }

  /** A filter value as an exact number, or an error naming the field and its type. */
  private static BigDecimal number(String field, String type, Object v) {
    try {
      return switch (v) {
        case Long l -> BigDecimal.valueOf(l);
        case Integer i -> BigDecimal.valueOf(i);
        case Short s -> BigDecimal.valueOf(s);
        case Byte b -> BigDecimal.valueOf(b);
        case Number n -> new BigDecimal(n.doubleValue());
        default -> new BigDecimal(String.valueOf(v).strip());
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "metadata field " + field + " holds " + type + " values; " + v + " is not a number", e);
    }
  }

  private Query range(Filter.Range r) {
    String field = r.field();
    String type = types.get(field);
    if (type == null) {
      return new MatchNoDocsQuery("no document has metadata field " + field);
    }
    return switch (type) {
      case MetadataTypes.LONG -> {
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        if (r.min() != null) {
          BigDecimal m = number(field, type, r.min());
          BigDecimal c = m.setScale(0, java.math.RoundingMode.CEILING);
          if (!r.includeMin() && c.compareTo(m) == 0) {
            c = c.add(BigDecimal.ONE);
          }
          if (c.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            yield new MatchNoDocsQuery("nothing above " + m);
          }
          lo = c.max(BigDecimal.valueOf(Long.MIN_VALUE)).longValueExact();
        }
        if (r.max() != null) {
          BigDecimal m = number(field, type, r.max());
          BigDecimal f = m.setScale(0, java.math.RoundingMode.FLOOR);
          if (!r.includeMax() && f.compareTo(m) == 0) {
            f = f.subtract(BigDecimal.ONE);
          }
          if (f.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
            yield new MatchNoDocsQuery("nothing below " + m);
          }
          hi = f.min(BigDecimal.valueOf(Long.MAX_VALUE)).longValueExact();
        }
        yield lo > hi
            ? new MatchNoDocsQuery("an empty range")
            : LongField.newRangeQuery(name(field), lo, hi);
      }
      case MetadataTypes.DOUBLE -> {
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        if (r.min() != null) {
          lo = number(field, type, r.min()).doubleValue();
          lo = r.includeMin() ? lo : Math.nextUp(lo);
        }
        if (r.max() != null) {
          hi = number(field, type, r.max()).doubleValue();
          hi = r.includeMax() ? hi : Math.nextDown(hi);
        }
        yield lo > hi
            ? new MatchNoDocsQuery("an empty range")
            : DoubleField.newRangeQuery(name(field), lo, hi);
      }
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
}
