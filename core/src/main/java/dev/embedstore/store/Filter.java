package dev.embedstore.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A condition on documents' metadata, applied before the nearest-neighbour search (a pre-filter: k
 * hits that match, not k hits of which some match). Every backend gives every filter the same
 * meaning:
 *
 * <ul>
 *   <li>Values compare by the type of the field they meet (its first value fixed it): on a numeric
 *       field, numbers compare as numbers, exactly ({@code 2010}, {@code 2010.0} and {@code "2010"}
 *       all equal a long 2010, {@code 2010.5} equals none, and longs beyond 2^53 are not rounded);
 *       {@code -0.0} and {@code 0.0} are one number; NaN equals and bounds nothing; infinities
 *       bound everything; a word on a numeric field is refused with an {@link
 *       IllegalArgumentException} when searched. On a string field, a value compares by its string
 *       form; on a bool field, {@code true} or {@code "true"}.
 *   <li>Strings order by code point (the order of their UTF-8 bytes), case-sensitively.
 *   <li>On a list field, a condition holds when it holds for one element.
 *   <li>A document without the field matches no condition on it, and so matches its {@link Not}:
 *       {@code not(eq("lang", "en"))} keeps documents with no {@code lang}. A field no document has
 *       matches nothing.
 * </ul>
 *
 * <p>Values are only ever terms or numbers, never parsed as a query language. Filters are immutable
 * values.
 */
public sealed interface Filter {
  /**
   * A field equals a value (a string, number or boolean).
   *
   * @param field the metadata field
   * @param value the value
   */
  record Equals(String field, Object value) implements Filter {
    /** Checks the arguments. */
    public Equals {
      Objects.requireNonNull(field, "field");
      checkValue(field, value);
    }
  }

  /**
   * A field equals one of the values: the same as an {@link Or} of {@link Equals}.
   *
   * @param field the metadata field
   * @param values the accepted values (strings, numbers or booleans); none matches nothing
   */
  record AnyOf(String field, Set<?> values) implements Filter {
    /** Checks and copies the arguments. */
    public AnyOf {
      Objects.requireNonNull(field, "field");
      values = Set.copyOf(values);
      for (Object v : values) {
        checkValue(field, v);
      }
    }
  }

  /**
   * A field lies in a range: a numeric field between numbers, a string field between strings (by
   * code point). A null end is open. A range on a bool field is refused when searched.
   *
   * @param field the metadata field
   * @param min the lower end, or null
   * @param includeMin whether the lower end itself matches
   * @param max the upper end, or null
   * @param includeMax whether the upper end itself matches
   */
  record Range(String field, Object min, boolean includeMin, Object max, boolean includeMax)
      implements Filter {
    /** Checks the arguments. */
    public Range {
      Objects.requireNonNull(field, "field");
      if (min == null && max == null) {
        throw new IllegalArgumentException("a range on " + field + " needs at least one end");
      }
      for (Object end : new Object[] {min, max}) {
        if (end != null && !(end instanceof Number) && !(end instanceof String)) {
          throw new IllegalArgumentException(
              "a range on "
                  + field
                  + " takes numbers or strings, not a "
                  + end.getClass().getSimpleName());
        }
      }
    }

    /**
     * A range with both ends included.
     *
     * @param field the field
     * @param min the lower end, or null
     * @param max the upper end, or null
     */
    public Range(String field, Object min, Object max) {
      this(field, min, true, max, true);
    }
  }

  /**
   * A string field (or an element of a list field) contains a substring, case-sensitively.
   *
   * @param field the metadata field
   * @param substring the substring; the empty string matches every value
   */
  record Contains(String field, String substring) implements Filter {
    /** Checks the arguments. */
    public Contains {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(substring, "substring");
    }
  }

  /**
   * The document has the field (with any value).
   *
   * @param field the metadata field
   */
  record Exists(String field) implements Filter {
    /** Checks the argument. */
    public Exists {
      Objects.requireNonNull(field, "field");
    }
  }

  /**
   * The document's id is one of the given ids: an allow-list, such as "only documents in this
   * folder".
   *
   * @param ids the allowed ids
   */
  record IdIn(Set<String> ids) implements Filter {
    /** Copies the ids. */
    public IdIn {
      ids = Set.copyOf(ids);
    }
  }

  /**
   * All of the filters hold; none given: every document.
   *
   * @param filters the filters
   */
  record And(List<Filter> filters) implements Filter {
    /** Copies the filters. */
    public And {
      filters = List.copyOf(filters);
    }
  }

  /**
   * At least one of the filters holds; none given: no document.
   *
   * @param filters the filters
   */
  record Or(List<Filter> filters) implements Filter {
    /** Copies the filters. */
    public Or {
      filters = List.copyOf(filters);
    }
  }

  /**
   * The filter does not hold.
   *
   * @param filter the negated filter
   */
  record Not(Filter filter) implements Filter {
    /** Checks the argument. */
    public Not {
      Objects.requireNonNull(filter, "filter");
    }
  }

  /**
   * Shorthand for {@link Equals}.
   *
   * @param field the field
   * @param value the value
   * @return the filter
   */
  static Filter eq(String field, Object value) {
    return new Equals(field, value);
  }

  /**
   * Shorthand for {@link And}.
   *
   * @param filters the filters
   * @return the filter
   */
  static Filter and(Filter... filters) {
    return new And(List.of(filters));
  }

  /**
   * Shorthand for {@link Or}.
   *
   * @param filters the filters
   * @return the filter
   */
  static Filter or(Filter... filters) {
    return new Or(List.of(filters));
  }

  /**
   * Shorthand for {@link Not}.
   *
   * @param filter the filter
   * @return the filter
   */
  static Filter not(Filter filter) {
    return new Not(filter);
  }

  private static void checkValue(String field, Object value) {
    Objects.requireNonNull(value, "value of " + field);
    if (!(value instanceof String) && !(value instanceof Number) && !(value instanceof Boolean)) {
      throw new IllegalArgumentException(
          "a filter on "
              + field
              + " compares strings, numbers or booleans, not a "
              + value.getClass().getSimpleName());
    }
  }
}
