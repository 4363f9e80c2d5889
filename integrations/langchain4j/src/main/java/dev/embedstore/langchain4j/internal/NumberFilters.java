package dev.embedstore.langchain4j.internal;

import dev.embedstore.store.Filter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Numeric comparisons with langchain4j's meaning, as store filters on one field.
 *
 * <p>langchain4j compares numbers of any types as {@code new BigDecimal(x.toString())}: a Float
 * {@code 1.23f} equals a Double {@code 1.23}, although {@code (double) 1.23f != 1.23}. A float
 * field holds each Float widened to a double, and a store range compares doubles; so each
 * comparison is turned into a range on the stored values that holds exactly the values whose
 * decimal string compares as asked:
 *
 * <ul>
 *   <li>On long fields (Integer and Long values) the bound is the decimal rounded to the nearest
 *       integer on the side that keeps the comparison exact ({@code x > 1.5} is {@code x >= 2}).
 *   <li>On float and double fields the bound is {@code t}, the decimal rounded to the nearest float
 *       (or double). {@code x -> decimal(x.toString())} is strictly increasing over the finite
 *       values but for the two zeros, which are both decimal 0; and the decimal of {@code t}'s
 *       neighbours lies outside the decimal's rounding interval. So {@code decimal(x) > D} is
 *       {@code x > t} when {@code decimal(t) <= D}, else {@code x >= t}; the other comparisons
 *       alike.
 *   <li>A bound at zero is written as the smallest subnormal on the side that puts both zeros
 *       together (never as a signed zero, whose sign a backend may not keep): {@code x >= 0} is
 *       {@code x > -Double.MIN_VALUE}.
 * </ul>
 *
 * <p>Static helpers only; thread-safe.
 */
public final class NumberFilters {
  /** A comparison. */
  public enum Op {
    /** Equal. */
    EQ,
    /** Greater than. */
    GT,
    /** Greater than or equal. */
    GTE,
    /** Less than. */
    LT,
    /** Less than or equal. */
    LTE
  }

  /** How a numeric field holds its values. */
  public enum FieldType {
    /** Integer and Long values, stored as longs. */
    INTEGRAL,
    /** Float values, stored as the doubles they widen to. */
    FLOAT,
    /** Double values. */
    DOUBLE
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private NumberFilters() {}

  /**
   * The decimal value langchain4j gives a number.
   *
   * @param key the metadata key, for the message
   * @param n the number
   * @return {@code new BigDecimal(n.toString())}
   * @throws IllegalArgumentException if the number is NaN or infinite, which langchain4j cannot
   *     compare either
   */
  public static BigDecimal decimal(String key, Number n) {
    try {
      return new BigDecimal(n.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "metadata filter on " + key + ": cannot compare with " + n + "; use a finite number", e);
    }
  }

  /**
   * The values of a numeric field that compare with a decimal as asked.
   *
   * @param field the store field
   * @param type how it holds its values
   * @param op the comparison
   * @param d the decimal compared with
   * @return the store filter
   */
  public static Filter compare(String field, FieldType type, Op op, BigDecimal d) {
    return type == FieldType.INTEGRAL ? integral(field, op, d) : floating(field, type, op, d);
  }

  private static Filter integral(String field, Op op, BigDecimal d) {
    return switch (op) {
      case EQ -> {
        BigDecimal stripped = d.stripTrailingZeros();
        yield stripped.scale() <= 0 && inLongRange(stripped)
            ? new Filter.Equals(field, stripped.longValueExact())
            : NOTHING;
      }
      case GT -> atLeast(field, d.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE));
      case GTE -> atLeast(field, d.setScale(0, RoundingMode.CEILING));
      case LT -> atMost(field, d.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE));
      case LTE -> atMost(field, d.setScale(0, RoundingMode.FLOOR));
    };
  }

  private static Filter atLeast(String field, BigDecimal min) {
    if (min.compareTo(LONG_MAX) > 0) {
      return NOTHING;
    }
    if (min.compareTo(LONG_MIN) <= 0) {
      return new Filter.Exists(field);
    }
    return new Filter.Range(field, min.longValueExact(), true, null, false);
  }

  private static Filter atMost(String field, BigDecimal max) {
    if (max.compareTo(LONG_MIN) < 0) {
      return NOTHING;
    }
    if (max.compareTo(LONG_MAX) >= 0) {
      return new Filter.Exists(field);
    }
    return new Filter.Range(field, null, false, max.longValueExact(), true);
  }

  private static boolean inLongRange(BigDecimal d) {
    return d.compareTo(LONG_MIN) >= 0 && d.compareTo(LONG_MAX) <= 0;
  }

  private static Filter floating(String field, FieldType type, Op op, BigDecimal d) {
    // t: the decimal rounded to the nearest value of the field's type (parsing rounds correctly);
    // cmp: how t's own decimal string compares with the decimal.
    double t;
    int cmp;
    if (type == FieldType.FLOAT) {
      float f = Float.parseFloat(d.toString());
      t = f;
      cmp = Float.isInfinite(f) ? 0 : new BigDecimal(Float.toString(f)).compareTo(d);
    } else {
      t = Double.parseDouble(d.toString());
      cmp = Double.isInfinite(t) ? 0 : new BigDecimal(Double.toString(t)).compareTo(d);
    }
    if (Double.isInfinite(t)) {
      // The decimal lies beyond every finite value of the type: it is above all of them or below
      // all of them. (langchain4j cannot compare infinite values at all; none is matched.)
      boolean aboveAll = t > 0;
      return switch (op) {
        case EQ -> NOTHING;
        case GT, GTE -> aboveAll ? NOTHING : new Filter.Exists(field);
        case LT, LTE -> aboveAll ? new Filter.Exists(field) : NOTHING;
      };
    }
    return switch (op) {
      case EQ ->
          cmp != 0
              ? NOTHING
              : t == 0
                  ? new Filter.Range(field, -Double.MIN_VALUE, false, Double.MIN_VALUE, false)
                  : new Filter.Range(field, t, true, t, true);
      case GT -> cmp <= 0 ? above(field, t, false) : above(field, t, true);
      case GTE -> cmp >= 0 ? above(field, t, true) : above(field, t, false);
      case LT -> cmp >= 0 ? below(field, t, false) : below(field, t, true);
      case LTE -> cmp <= 0 ? below(field, t, true) : below(field, t, false);
    };
  }

  private static Filter above(String field, double t, boolean inclusive) {
    if (t == 0) {
      // Both zeros are decimal 0: keep both (above the negative subnormal) or neither.
      return inclusive
          ? new Filter.Range(field, -Double.MIN_VALUE, false, null, false)
          : new Filter.Range(field, Double.MIN_VALUE, true, null, false);
    }
    return new Filter.Range(field, t, inclusive, null, false);
  }

  private static Filter below(String field, double t, boolean inclusive) {
    if (t == 0) {
      return inclusive
          ? new Filter.Range(field, null, false, Double.MIN_VALUE, false)
          : new Filter.Range(field, null, false, -Double.MIN_VALUE, true);
    }
    return new Filter.Range(field, null, false, t, inclusive);
  }

  /** A filter no document matches. */
  public static final Filter NOTHING = new Filter.Or(List.of());
}
