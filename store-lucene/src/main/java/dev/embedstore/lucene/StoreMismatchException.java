package dev.embedstore.lucene;

/**
 * A store was opened with an embedder whose fingerprint differs from the store's. The message names
 * both models; {@link LuceneVectorStore#migrate} moves a store to another model.
 */
public final class StoreMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what differs and what to do
   */
  public StoreMismatchException(String message) {
    super(message);
  }
}
