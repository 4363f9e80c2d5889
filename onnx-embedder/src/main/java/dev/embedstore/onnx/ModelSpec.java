package dev.embedstore.onnx;

import java.util.Objects;

/**
 * Everything, besides the model and tokenizer files, that decides the vectors of an {@link
 * OnnxEmbedder}. All of it goes into the model fingerprint.
 *
 * @param name a short name for messages and store metadata, such as {@code all-minilm-l6-v2}
 * @param pooling how token vectors become one vector
 * @param maxTokens the most tokens the model sees, special tokens included
 * @param queryPrefix text put before every query (BGE: an instruction), may be empty
 * @param documentPrefix text put before every document, may be empty
 * @param truncation what happens to a text over {@code maxTokens}
 * @param dimension the length of the vectors
 */
public record ModelSpec(
    String name,
    Pooling pooling,
    int maxTokens,
    String queryPrefix,
    String documentPrefix,
    TruncationPolicy truncation,
    int dimension) {

  /** Checks the values. */
  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(queryPrefix, "queryPrefix");
    Objects.requireNonNull(documentPrefix, "documentPrefix");
    Objects.requireNonNull(truncation, "truncation");
    if (maxTokens < 3) {
      throw new IllegalArgumentException("maxTokens must be >= 3; maxTokens=" + maxTokens);
    }
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0; dimension=" + dimension);
    }
  }
}
