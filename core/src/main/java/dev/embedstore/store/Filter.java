package dev.embedstore.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A condition on documents' metadata, applied before the nearest-neighbour search (a pre-filter: k
 * hits that match, not k hits of which some match).
 */
public sealed interface Filter {
  /**
   * A field equals a value (a string, number or boolean); for a list field, one element equals it.
   *
   * @param field the metadata field
   * @param value the value
   */
  record Equals(String field, Object value) implements Filter {
    /** Checks the arguments. */
    public Equals {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A string field equals one of the values.
   *
   * @param field the metadata field
   * @param values the accepted values
   */
  record AnyOf(String field, Set<String> values) implements Filter {
    /** Checks and copies the arguments. */
    public AnyOf {
      Objects.requireNonNull(field, "field");
      values = Set.copyOf(values);
    }
  }

  /**
   * A numeric field lies in a range, both ends included; a null end is open.
   *
   * @param field the metadata field
   * @param min the lower end, or null
   * @param max the upper end, or null
   */
  record Range(String field, Number min, Number max) implements Filter {
    /** Checks the arguments. */
    public Range {
      Objects.requireNonNull(field, "field");
      if (min == null && max == null) {
        throw new IllegalArgumentException("a range on " + field + " needs at least one end");
      }
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
   * All of the filters hold.
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
   * At least one of the filters holds.
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
}
