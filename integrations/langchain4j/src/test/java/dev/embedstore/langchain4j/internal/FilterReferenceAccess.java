package dev.embedstore.langchain4j.internal;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.store.embedding.filter.Filter;

/** Opens {@link Langchain4jFilterReference} to the store tests of the parent package. */
public final class FilterReferenceAccess {
  private FilterReferenceAccess() {}

  /**
   * Whether langchain4j's filter holds on the metadata.
   *
   * @param f the filter
   * @param m the metadata
   * @return whether it holds
   */
  public static boolean matches(Filter f, Metadata m) {
    return Langchain4jFilterReference.matches(f, m);
  }
}
