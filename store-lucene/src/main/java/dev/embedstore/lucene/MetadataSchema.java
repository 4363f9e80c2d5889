package dev.embedstore.lucene;

import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A store's metadata fields and their types, and everything that depends on them: how values are
 * indexed and stored, read back, and matched by {@link Filter}s.
 *
 * <p>A field's first value fixes its type (long, double, bool or string; a list is strings), kept
 * in the commit user data so that a filter on {@code year=2020} becomes a numeric query on a
 * numeric field and a term query on a string one. Filter values are only ever terms or numbers,
 * never parsed as query syntax.
 *
 * <p><b>NOTE</b>: thread-safe.
 */
final class MetadataSchema {
  private final Map<String, String> types = new ConcurrentHashMap<>();

  /** A sorted, unmodifiable copy of the field types. */
  SortedMap<String, String> types() {
    return sorted(types);
  }

  static SortedMap<String, String> sorted(Map<String, String> types) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(types));
  }

  /** Adds field types, as {@link #decode} or {@link #check} gave them. */
  void putAll(Map<String, String> more) {
    types.putAll(more);
  }

  /** The schema type of a metadata value: long, double, bool or string (lists are strings). */
  static String typeOf(Object v) {
    return switch (v) {
      case Long l -> "long";
      case Double d -> "double";
      case Boolean b -> "bool";
      default -> "string";
    };
  }

  /**
   * Checks that a document's metadata fields keep their types: a field's first value fixes it.
   *
   * @param d the document
   * @param pending the types first seen in the current upsert, not yet in the schema; new ones are
   *     added
   * @throws IllegalArgumentException naming the document and field when a type changes
   */
  void check(Document d, Map<String, String> pending) {
    checkTypes(d, types, pending);
  }

  /**
   * Checks a document's metadata types against known ones and pending ones; adds its new fields to
   * the pending ones.
   */
  static void checkTypes(Document d, Map<String, String> known, Map<String, String> pending) {
    for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
      String type = typeOf(e.getValue());
      String held = known.get(e.getKey());
      if (held == null) {
        held = pending.putIfAbsent(e.getKey(), type);
      }
      if (held != null && !held.equals(type)) {
        throw new IllegalArgumentException(
            "document "
                + LuceneVectorStore.abbreviate(d.id())
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

  /** The schema as commit user data: one {@code type TAB field} line per field, sorted. */
  String encode() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(types).entrySet()) {
      b.append(e.getValue()).append('\t').append(e.getKey().replace("\n", " ")).append('\n');
    }
    return b.toString();
  }

  /** Reads {@link #encode()}'s form. */
  static Map<String, String> decode(String s) {
    Map<String, String> out = new HashMap<>();
    for (String line : s.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        out.put(line.substring(tab + 1), line.substring(0, tab));
      }
    }
    return out;
  }

  /** Translates a filter into a Lucene query, with each field's stored type. */
  Query toQuery(Filter f) {
    return switch (f) {
      case Filter.Equals e -> equalsQuery(e.field(), e.value());
      case Filter.AnyOf a -> {
        List<BytesRef> terms = new ArrayList<>();
        for (String v : a.values()) {
          terms.add(new BytesRef(v));
        }
        yield terms.isEmpty()
            ? new MatchNoDocsQuery("nothing to match")
            : new TermInSetQuery(Fields.META_PREFIX + a.field(), terms);
      }
      case Filter.Range r -> rangeQuery(r);
      case Filter.IdIn ids -> IdAllowList.query(ids.ids());
      case Filter.And and -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(MatchAllDocsQuery.INSTANCE, Occur.FILTER);
        for (Filter x : and.filters()) {
          b.add(toQuery(x), Occur.FILTER);
        }
        yield b.build();
      }
      case Filter.Or or -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        for (Filter x : or.filters()) {
          b.add(toQuery(x), Occur.SHOULD);
        }
        yield or.filters().isEmpty() ? new MatchNoDocsQuery("nothing to match") : b.build();
      }
      case Filter.Not not ->
          new BooleanQuery.Builder()
              .add(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)), Occur.FILTER)
              .add(toQuery(not.filter()), Occur.MUST_NOT)
              .build();
    };
  }

  private Query equalsQuery(String field, Object value) {
    String name = Fields.META_PREFIX + field;
    String type = types.get(field);
    if (type == null) {
      return new MatchNoDocsQuery("no document has metadata field " + field);
    }
    try {
      return switch (type) {
        case "long" -> LongField.newExactQuery(name, ((Number) numeric(value, true)).longValue());
        case "double" ->
            DoubleField.newExactQuery(name, ((Number) numeric(value, false)).doubleValue());
        default -> new TermQuery(new Term(name, String.valueOf(value)));
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "metadata field " + field + " holds " + type + " values; " + value + " is not one", e);
    }
  }

  private static Object numeric(Object v, boolean integral) {
    if (v instanceof Number n) {
      return n;
    }
    String s = String.valueOf(v).strip();
    return integral ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s);
  }

  private Query rangeQuery(Filter.Range r) {
    String name = Fields.META_PREFIX + r.field();
    String type = types.get(r.field());
    if (type == null) {
      return new MatchNoDocsQuery("no document has metadata field " + r.field());
    }
    return switch (type) {
      case "long" -> {
        long lo = r.min() == null ? Long.MIN_VALUE : (long) Math.ceil(r.min().doubleValue());
        long hi = r.max() == null ? Long.MAX_VALUE : (long) Math.floor(r.max().doubleValue());
        yield LongField.newRangeQuery(name, lo, hi);
      }
      case "double" ->
          DoubleField.newRangeQuery(
              name,
              r.min() == null ? Double.NEGATIVE_INFINITY : r.min().doubleValue(),
              r.max() == null ? Double.POSITIVE_INFINITY : r.max().doubleValue());
      default ->
          throw new IllegalArgumentException(
              "metadata field " + r.field() + " holds " + type + " values, not numbers; no range");
    };
  }

  /** Adds metadata to a Lucene document: indexed for filters, stored to be read back. */
  static void addFields(org.apache.lucene.document.Document doc, Map<String, Object> metadata) {
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      String field = Fields.META_PREFIX + e.getKey();
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

  /** Reads back what {@link #addFields} wrote, with each value's type. */
  static Map<String, Object> read(org.apache.lucene.document.Document doc) {
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
    for (Map.Entry<String, List<String>> e : listValues.entrySet()) {
      out.put(e.getKey(), List.copyOf(e.getValue()));
    }
    return out;
  }
}
