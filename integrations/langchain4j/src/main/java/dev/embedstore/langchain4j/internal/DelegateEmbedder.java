package dev.embedstore.langchain4j.internal;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.EmbeddingException;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A langchain4j {@link EmbeddingModel}, called with one set of request parameters, seen as an
 * Embedstore {@link Embedder}, so that a {@code CachedEmbedder} can keep its vectors.
 *
 * <p>Its fingerprint is what identifies the vectors the delegate makes:
 *
 * <pre>
 *   ModelFingerprint("langchain4j-model" = the delegate's class name,
 *                    "model-name"        = the request's model name, else the delegate's modelName(),
 *                    "dimension"         = the request's dimensions, else the delegate's dimension,
 *                    "param.NAME"        = each other request parameter's value, by name)
 * </pre>
 *
 * so a change of class, model, dimension, input type or any other parameter never serves another
 * model's vector.
 *
 * <p><b>NOTE</b>: thread-safe when the delegate is; {@link #close()} does nothing (the delegate
 * belongs to the caller).
 */
public final class DelegateEmbedder implements Embedder {
  private final EmbeddingModel delegate;
  private final EmbeddingRequestParameters parameters;
  private final String modelName;
  private final int dimension;
  private final ModelFingerprint fingerprint;
  private final LongAdder calls;

  /**
   * Wraps a delegate.
   *
   * @param delegate the langchain4j model
   * @param parameters the parameters every call carries (merged with the delegate's defaults)
   * @param baseDimension the delegate's dimension when the parameters name none
   * @param calls counts the calls to the delegate
   */
  public DelegateEmbedder(
      EmbeddingModel delegate,
      EmbeddingRequestParameters parameters,
      int baseDimension,
      LongAdder calls) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.calls = Objects.requireNonNull(calls, "calls");
    this.modelName =
        parameters.modelName() != null
            ? parameters.modelName()
            : String.valueOf(delegate.modelName());
    this.dimension = parameters.dimensions() != null ? parameters.dimensions() : baseDimension;
    ModelFingerprint.Builder b =
        ModelFingerprint.builder()
            .add("langchain4j-model", delegate.getClass().getName())
            .add("model-name", modelName)
            .add("dimension", dimension);
    List<EmbeddingParameter<?>> others = new ArrayList<>(parameters.presentParameters());
    others.sort(Comparator.comparing(EmbeddingParameter::name));
    for (EmbeddingParameter<?> p : others) {
      if (!p.equals(EmbeddingRequestParameters.MODEL_NAME)
          && !p.equals(EmbeddingRequestParameters.DIMENSIONS)) {
        b.add("param." + p.name(), String.valueOf(parameters.parameter(p)));
      }
    }
    this.fingerprint = b.build();
  }

  @Override
  public String modelName() {
    return modelName;
  }

  @Override
  public ModelFingerprint fingerprint() {
    return fingerprint;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** Sends the texts to the delegate in one call. The role is in the parameters' input type. */
  @Override
  public List<float[]> embed(List<String> texts, Role role) {
    Objects.requireNonNull(role, "role");
    calls.increment();
    EmbeddingRequest request =
        EmbeddingRequest.builder()
            .inputs(texts.toArray(String[]::new))
            .parameters(parameters)
            .build();
    EmbeddingResponse response = delegate.embed(request);
    List<Embedding> embeddings = response.embeddings();
    if (embeddings == null || embeddings.size() != texts.size()) {
      throw new EmbeddingException(
          "embedding model "
              + modelName
              + " ("
              + delegate.getClass().getName()
              + ") returned "
              + (embeddings == null ? "no" : embeddings.size())
              + " embeddings for "
              + texts.size()
              + " texts");
    }
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      out.add(e.vector());
    }
    return out;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "DelegateEmbedder[" + delegate.getClass().getName() + ", " + modelName + "]";
  }
}
