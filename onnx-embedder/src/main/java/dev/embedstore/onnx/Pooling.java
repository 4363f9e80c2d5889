package dev.embedstore.onnx;

/** How the per-token outputs of a model become one vector per text. */
public enum Pooling {
  /** The mean of the token vectors, over the attention mask (sentence-transformers' default). */
  MEAN,
  /** The vector of the first token, {@code [CLS]} (BGE models). */
  CLS
}
