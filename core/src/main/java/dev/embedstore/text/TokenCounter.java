package dev.embedstore.text;

/**
 * Counts the tokens a model would see for a text, so that text can be split into pieces that fit
 * the model. The ONNX embedder's tokenizer implements it; a test can use a whitespace count.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface TokenCounter {
  /**
   * Counts the model's tokens in {@code text}, without special tokens such as {@code [CLS]} and
   * {@code [SEP]} and without truncation.
   *
   * @param text the text
   * @return the number of tokens, 0 for an empty text
   */
  int countTokens(String text);
}
