package dev.embedstore.langchain4j.internal;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;

/**
 * What a langchain4j filter means, by langchain4j's own code: each comparison is decided by its
 * {@code test(metadata)}, the method langchain4j's in-memory store uses. Where that method throws
 * (a value of a type it cannot compare with the stored one), the comparison does not hold; {@code
 * isNotEqualTo} and {@code isNotIn} are the negations of {@code isEqualTo} and {@code isIn}, as
 * they are in langchain4j wherever it does not throw.
 */
final class Langchain4jFilterReference {
  private Langchain4jFilterReference() {}

  static boolean matches(Filter f, Metadata m) {
    return switch (f) {
      case And a -> matches(a.left(), m) && matches(a.right(), m);
      case Or o -> matches(o.left(), m) || matches(o.right(), m);
      case Not n -> !matches(n.expression(), m);
      case IsNotEqualTo ne -> !matches(new IsEqualTo(ne.key(), ne.comparisonValue()), m);
      case IsNotIn nin -> !matches(new IsIn(nin.key(), nin.comparisonValues()), m);
      default -> {
        try {
          yield f.test(m);
        } catch (IllegalArgumentException | ClassCastException e) {
          // NumberFormatException is an IllegalArgumentException.
          yield false;
        }
      }
    };
  }
}
