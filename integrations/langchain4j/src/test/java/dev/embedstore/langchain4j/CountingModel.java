package dev.embedstore.langchain4j;

import dev.embedstore.embed.Role;
import dev.embedstore.testing.FakeEmbedder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A langchain4j model in the old style (only {@code embedAll}) that counts its calls and texts: a
 * stand-in for a remote API whose every call costs. Vectors are deterministic in the text.
 */
final class CountingModel implements EmbeddingModel {
  final AtomicLong calls = new AtomicLong();
  final AtomicLong texts = new AtomicLong();
  private final String name;
  private final int dimension;

  CountingModel(String name, int dimension) {
    this.name = name;
    this.dimension = dimension;
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    calls.incrementAndGet();
    texts.addAndGet(segments.size());
    List<Embedding> out = new ArrayList<>();
    for (TextSegment s : segments) {
      out.add(
          Embedding.from(FakeEmbedder.vectorOf(name + "|" + s.text(), Role.DOCUMENT, dimension)));
    }
    return Response.from(out);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String modelName() {
    return name;
  }
}
