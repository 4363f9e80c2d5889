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

  /**
   * What identifies this way of counting, for digests that must change when the chunking would: a
   * tokenizer returns a digest of its vocabulary and rules. Equal identities must count every text
   * alike. The default, empty, means "unnamed": a store then cannot tell two unnamed counters
   * apart, and re-chunks only when the chunk sizes change.
   *
   * @return a stable identity, the same in every JVM; empty when unknown
   */
  default String identity() {
    return "";
  }
}
