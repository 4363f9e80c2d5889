package dev.embedstore.embed;

/**
 * The model failed while computing vectors, for a reason other than reading a file: for example the
 * inference runtime rejected the inputs, or the model's output has an unexpected shape. The message
 * names the model.
 */
public class EmbeddingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the model
   * @param cause the runtime's exception, or null
   */
  public EmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception without a cause.
   *
   * @param message what failed, naming the model
   */
  public EmbeddingException(String message) {
    super(message);
  }
}
