package dev.embedstore.springai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A Spring AI model that gives every text the same unit vector, so that every document scores 1 and
 * a search returns exactly the documents its filter keeps. Counts the texts it embeds.
 */
public final class ConstantEmbeddingModel implements EmbeddingModel {
  /** The vectors' dimension. */
  public static final int DIMENSION = 4;

  /** Texts embedded so far. */
  public final AtomicLong texts = new AtomicLong();

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<Embedding> out = new ArrayList<>();
    for (int i = 0; i < request.getInstructions().size(); i++) {
      texts.incrementAndGet();
      out.add(new Embedding(new float[] {1, 0, 0, 0}, i));
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    texts.incrementAndGet();
    return new float[] {1, 0, 0, 0};
  }

  @Override
  public int dimensions() {
    return DIMENSION;
  }
}
