package dev.embedstore.langchain4j;

import dev.embedstore.embed.Role;
import dev.embedstore.testing.FakeEmbedder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A model in the new style ({@code doEmbed}) whose vectors depend on the input type. */
final class TypedModel implements EmbeddingModel {
  final AtomicLong calls = new AtomicLong();

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    calls.incrementAndGet();
    Role role = request.inputType() == EmbeddingInputType.QUERY ? Role.QUERY : Role.DOCUMENT;
    List<Embedding> out = new ArrayList<>();
    for (EmbeddingInput in : request.inputs()) {
      out.add(Embedding.from(FakeEmbedder.vectorOf(in.text(), role, 6)));
    }
    return EmbeddingResponse.builder().embeddings(out).build();
  }

  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return Set.of(EmbeddingRequestParameters.INPUT_TYPE);
  }

  @Override
  public int dimension() {
    return 6;
  }

  @Override
  public String modelName() {
    return "typed";
  }
}
