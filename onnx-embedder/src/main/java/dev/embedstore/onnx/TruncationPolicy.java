package dev.embedstore.onnx;

/**
 * What happens to a text with more tokens than the model takes. It is part of the model
 * fingerprint: vectors of a truncated text and of a refused one are not interchangeable.
 */
public enum TruncationPolicy {
  /** Keep the first tokens that fit, and count the text as truncated. The default. */
  TRUNCATE,
  /** Refuse the text with an {@link IllegalArgumentException} naming it and its token count. */
  REJECT
}
