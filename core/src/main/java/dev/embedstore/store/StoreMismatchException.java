package dev.embedstore.store;

/**
 * A store was opened with a model whose fingerprint differs from the store's. The message names the
 * store and both models; a backend that can move a store to another model says how (the Lucene
 * store's {@code migrate}).
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
