package dev.embedstore.server.input;

import dev.embedstore.store.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter syntax of {@code embedstore search --filter} and of the server's {@code filter}
 * parameter: {@code FIELD=VALUE} (equals), {@code FIELD>=N} and {@code FIELD<=N} (numeric bounds,
 * included). Several conditions all hold ({@link Filter.And}). Values are taken literally, never
 * parsed as a query language: {@code lang=en OR 1=1} asks for the value {@code "en OR 1=1"}.
 *
 * <p>Stateless and thread-safe.
 */
public final class FilterSyntax {
  private FilterSyntax() {}

  /**
   * Parses conditions.
   *
   * @param specs the conditions, each {@code FIELD=VALUE}, {@code FIELD>=N} or {@code FIELD<=N}
   * @return the filter, or null when there are none
   * @throws IllegalArgumentException naming the condition that is not in the syntax; the message
   *     reads after the option's name ({@code "takes FIELD=VALUE, ..."})
   */
  public static Filter parse(List<String> specs) {
    List<Filter> out = new ArrayList<>();
    for (String f : specs) {
      int ge = f.indexOf(">=");
      int le = f.indexOf("<=");
      int eq = f.indexOf('=');
      try {
        if (ge > 0) {
          out.add(
              new Filter.Range(f.substring(0, ge), Double.parseDouble(f.substring(ge + 2)), null));
        } else if (le > 0) {
          out.add(
              new Filter.Range(f.substring(0, le), null, Double.parseDouble(f.substring(le + 2))));
        } else if (eq > 0) {
          out.add(Filter.eq(f.substring(0, eq), f.substring(eq + 1)));
        } else {
          throw new IllegalArgumentException("takes FIELD=VALUE, FIELD>=N or FIELD<=N, not " + f);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(f + ": not a number after the comparison", e);
      }
    }
    return out.isEmpty() ? null : out.size() == 1 ? out.get(0) : new Filter.And(out);
  }
}
