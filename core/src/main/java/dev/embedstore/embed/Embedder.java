package dev.embedstore.embed;

import java.io.IOException;
import java.util.List;

/**
 * Turns texts into vectors.
 *
 * <p>Two embedders with equal {@link #fingerprint()}s produce bit-identical vectors for the same
 * text and role; that promise is what lets a cache serve a stored vector instead of running the
 * model again. An implementation must therefore put into its fingerprint everything that can change
 * a vector: the model and tokenizer bytes, pooling, normalisation, truncation, prefixes and its own
 * code version.
 *
 * <p><b>NOTE</b>: implementations are thread-safe; one instance is meant to be shared by all
 * threads. {@link #close()} is idempotent, and any other call after it throws {@link
 * IllegalStateException}.
 */
public interface Embedder extends AutoCloseable {

  /**
   * A short human-readable name of the model, for messages and store metadata, such as {@code
   * all-minilm-l6-v2}. Two different models may share a name; only {@link #fingerprint()} tells
   * them apart.
   *
   * @return the model's name
   */
  String modelName();

  /**
   * Identifies everything that decides a vector. Cheap to call: computing it never loads the model.
   *
   * @return the fingerprint
   */
  ModelFingerprint fingerprint();

  /**
   * The length of every vector this embedder returns.
   *
   * @return the dimension, at least 1
   */
  int dimension();

  /**
   * Embeds texts, returning one new vector per text, in the order of {@code texts}. Empty and
   * whitespace-only strings are valid texts. The caller owns the returned arrays.
   *
   * @param texts the texts; the list and its elements must not be null
   * @param role whether the texts are documents or queries
   * @return one vector of {@link #dimension()} floats per text
   * @throws IOException if the model or a cache cannot be read or written
   * @throws EmbeddingException if the model fails on these inputs
   * @throws NullPointerException if {@code texts}, one of its elements or {@code role} is null
   */
  List<float[]> embed(List<String> texts, Role role) throws IOException;

  /**
   * Does what {@link #embed(List, Role)} does and also tells how many texts the model cut to its
   * token limit. The default says 0; an embedder that truncates overrides it.
   *
   * @param texts the texts; the list and its elements must not be null
   * @param role whether the texts are documents or queries
   * @return the vectors and the count of truncated texts
   * @throws IOException if the model or a cache cannot be read or written
   */
  default Embeddings embedBatch(List<String> texts, Role role) throws IOException {
    return new Embeddings(embed(texts, role), 0);
  }

  /**
   * The result of {@link #embedBatch}.
   *
   * @param vectors one vector per text, in order; the caller owns the arrays
   * @param truncated how many of the texts were longer than the model takes and were cut
   */
  record Embeddings(List<float[]> vectors, int truncated) {}

  /**
   * Embeds one text. Prefer {@link #embed(List, Role)} for many texts: batches are much faster.
   *
   * @param text the text
   * @param role whether the text is a document or a query
   * @return a new vector of {@link #dimension()} floats
   * @throws IOException if the model or a cache cannot be read or written
   */
  default float[] embed(String text, Role role) throws IOException {
    return embed(List.of(text), role).get(0);
  }

  /** Releases the model. Idempotent. */
  @Override
  void close();
}
