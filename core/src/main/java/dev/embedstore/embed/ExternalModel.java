package dev.embedstore.embed;

import java.util.List;
import java.util.Objects;

/**
 * A model that runs outside Embedstore, named by the application: a remote embedding API, or a
 * model of another framework. A store opened with one holds the application's own vectors ("bring
 * your own vectors"): documents carry their vector and searches their query vector, and the store
 * never embeds a text itself.
 *
 * <p>Its fingerprint is derived from the name and the dimension, so the vectors of two external
 * models (or of one name at two dimensions) never mix in a store or a cache:
 *
 * <pre>
 *   fingerprint = ModelFingerprint("external-model" = name, "dimension" = dimension)
 * </pre>
 *
 * Name the model precisely ({@code "openai/text-embedding-3-small"}, not {@code "openai"}): two
 * different models given the same name and dimension would be taken for one.
 *
 * <p>{@link #embed(List, Role)} throws {@link UnsupportedOperationException} naming the model:
 * nothing can embed with it. Immutable and thread-safe; {@link #close()} does nothing.
 */
public final class ExternalModel implements Embedder {
  private final String name;
  private final int dimension;
  private final ModelFingerprint fingerprint;

  private ExternalModel(String name, int dimension) {
    this.name = name;
    this.dimension = dimension;
    this.fingerprint =
        ModelFingerprint.builder().add("external-model", name).add("dimension", dimension).build();
  }

  /**
   * Names an external model.
   *
   * @param name the model's name, such as {@code "openai/text-embedding-3-small"}; not blank
   * @param dimension the length of its vectors, at least 1
   * @return the model
   * @throws IllegalArgumentException if the name is blank or the dimension below 1
   */
  public static ExternalModel of(String name, int dimension) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("an external model needs a name; name=\"" + name + "\"");
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be > 0; dimension=" + dimension);
    }
    return new ExternalModel(name, dimension);
  }

  @Override
  public String modelName() {
    return name;
  }

  @Override
  public ModelFingerprint fingerprint() {
    return fingerprint;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /**
   * Always refuses: an external model's vectors come from the application.
   *
   * @throws UnsupportedOperationException always, naming the model
   */
  @Override
  public List<float[]> embed(List<String> texts, Role role) {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(role, "role");
    throw new UnsupportedOperationException(
        "model "
            + name
            + " is external: Embedstore cannot embed with it; give each document its vector"
            + " (Document.withVector) and each search its query vector (SearchRequest.ofVector)");
  }

  @Override
  public void close() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof ExternalModel m && m.name.equals(name) && m.dimension == dimension;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + dimension;
  }

  @Override
  public String toString() {
    return "ExternalModel[" + name + ", dimension=" + dimension + "]";
  }
}
