package dev.embedstore.springai.internal;

import dev.embedstore.store.Filter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Translates Spring AI filter expressions into store filters, evaluated by the store before the
 * nearest-neighbour search.
 *
 * <p>The meaning is that of Spring AI's reference store, {@code SimpleVectorStore}:
 *
 * <ul>
 *   <li>A missing key is null, and null orders before every value ("nulls first"): {@code year <
 *       2020}, {@code year <= 2020}, {@code year != 2020} and {@code year NIN [...]} hold for a
 *       document without {@code year}; {@code ==}, {@code >}, {@code >=} and {@code IN} do not.
 *   <li>{@code ISNULL} holds when the key is missing, {@code ISNOTNULL} when it is present.
 *   <li>Numbers compare as numbers whatever their Java types; strings by code point (Spring AI's
 *       in-memory store compares UTF-16 units: the two differ only between characters above U+FFFF
 *       and those in U+E000..U+FFFF); booleans with false before true.
 *   <li>A {@link Date} value is the ISO-8601 UTC string Spring AI stores dates as ({@code
 *       yyyy-MM-dd'T'HH:mm:ss'Z'}).
 *   <li>Keys may be quoted ({@code "country"} or {@code 'country'}); the quotes are dropped.
 * </ul>
 *
 * <p>Where Spring AI's in-memory store throws (a string compared with a number), the store's rule
 * applies: a value compares by the type of the field it meets.
 *
 * <p>Static helpers only; thread-safe.
 */
public final class SpringAiFilters {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final Filter NOTHING = new Filter.Or(List.of());

  private SpringAiFilters() {}

  /**
   * Translates an expression.
   *
   * @param e the expression, or null
   * @return the store filter, or null for none
   * @throws IllegalArgumentException for a malformed expression, naming it
   */
  public static Filter translate(Expression e) {
    return e == null ? null : expression(e);
  }

  private static Filter operand(Operand o) {
    return switch (o) {
      case Expression e -> expression(e);
      case Group g -> expression(g.content());
      default -> throw new IllegalArgumentException("not a condition: " + o);
    };
  }

  private static Filter expression(Expression e) {
    ExpressionType type = e.type();
    return switch (type) {
      case AND -> Filter.and(operand(e.left()), operand(right(e)));
      case OR -> Filter.or(operand(e.left()), operand(right(e)));
      case NOT -> Filter.not(operand(e.left()));
      case ISNULL -> Filter.not(new Filter.Exists(key(e)));
      case ISNOTNULL -> new Filter.Exists(key(e));
      case EQ -> equalTo(key(e), value(e));
      case NE -> Filter.not(equalTo(key(e), value(e)));
      case GT -> above(key(e), value(e), false);
      case GTE -> above(key(e), value(e), true);
      case LT -> Filter.or(below(key(e), value(e), false), Filter.not(new Filter.Exists(key(e))));
      case LTE -> Filter.or(below(key(e), value(e), true), Filter.not(new Filter.Exists(key(e))));
      case IN -> in(key(e), values(e));
      case NIN -> Filter.not(in(key(e), values(e)));
    };
  }

  private static Operand right(Expression e) {
    if (e.right() == null) {
      throw new IllegalArgumentException(e.type() + " needs two operands: " + e);
    }
    return e.right();
  }

  private static String key(Expression e) {
    if (!(e.left() instanceof Key k)) {
      throw new IllegalArgumentException(e.type() + " needs a key on its left: " + e);
    }
    String key = k.key();
    if (key.length() >= 2
        && ((key.startsWith("\"") && key.endsWith("\""))
            || (key.startsWith("'") && key.endsWith("'")))) {
      key = key.substring(1, key.length() - 1);
    }
    return key;
  }

  private static Object value(Expression e) {
    if (!(right(e) instanceof Value v)) {
      throw new IllegalArgumentException(e.type() + " needs a value on its right: " + e);
    }
    return scalar(e, v.value());
  }

  private static List<Object> values(Expression e) {
    if (!(right(e) instanceof Value v) || !(v.value() instanceof List<?> list)) {
      throw new IllegalArgumentException(e.type() + " needs a list of values: " + e);
    }
    List<Object> out = new ArrayList<>(list.size());
    for (Object o : list) {
      out.add(scalar(e, o));
    }
    return out;
  }

  private static Object scalar(Expression e, Object v) {
    return switch (v) {
      case String s -> s;
      case Number n -> n;
      case Boolean b -> b;
      case Date d -> formatDate(d);
      case null -> throw new IllegalArgumentException("a null value in " + e);
      default ->
          throw new IllegalArgumentException(
              "a "
                  + v.getClass().getName()
                  + " value in "
                  + e
                  + "; use strings, numbers, booleans or dates");
    };
  }

  /**
   * A date as Spring AI stores dates in metadata: ISO-8601 UTC to the second.
   *
   * @param d the date
   * @return {@code yyyy-MM-dd'T'HH:mm:ss'Z'}
   */
  public static String formatDate(Date d) {
    return DATE.format(d.toInstant());
  }

  private static Filter equalTo(String key, Object v) {
    return new Filter.Equals(key, v);
  }

  /** Values above v; booleans order false before true, and store ranges take no booleans. */
  private static Filter above(String key, Object v, boolean inclusive) {
    if (v instanceof Boolean b) {
      if (b) {
        return inclusive ? new Filter.Equals(key, true) : NOTHING;
      }
      return inclusive ? new Filter.AnyOf(key, Set.of(false, true)) : new Filter.Equals(key, true);
    }
    return new Filter.Range(key, v, inclusive, null, false);
  }

  private static Filter below(String key, Object v, boolean inclusive) {
    if (v instanceof Boolean b) {
      if (!b) {
        return inclusive ? new Filter.Equals(key, false) : NOTHING;
      }
      return inclusive ? new Filter.AnyOf(key, Set.of(false, true)) : new Filter.Equals(key, false);
    }
    return new Filter.Range(key, null, false, v, inclusive);
  }

  private static Filter in(String key, List<Object> values) {
    return new Filter.AnyOf(key, new LinkedHashSet<>(values));
  }
}
