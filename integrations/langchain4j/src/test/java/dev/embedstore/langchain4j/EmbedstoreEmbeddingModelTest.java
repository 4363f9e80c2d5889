package dev.embedstore.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embedstore.embed.Role;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled models as langchain4j models: the same vectors as the embedder, embedded once. */
class EmbedstoreEmbeddingModelTest {
  @TempDir Path tmp;

  @Test
  void vectorsAreTheModelsAndASecondRunEmbedsNothing() throws IOException {
    List<String> texts = List.of("Lucene is a search library.", "ONNX Runtime runs models.");
    List<float[]> expected;
    try (OnnxEmbedder onnx = OnnxEmbedder.open("bge-small-en-v1.5")) {
      expected = onnx.embed(texts, Role.DOCUMENT);
      float[] query = onnx.embed(texts.get(0), Role.QUERY);
      try (EmbedstoreEmbeddingModel model =
          EmbedstoreEmbeddingModel.builder()
              .model("bge-small-en-v1.5")
              .cacheFolder(tmp.resolve("c"))
              .build()) {
        assertEquals(384, model.dimension());
        assertEquals("bge-small-en-v1.5", model.modelName());
        var got = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        for (int i = 0; i < texts.size(); i++) {
          assertArrayEquals(expected.get(i), got.get(i).vector(), 1e-5f);
        }
        float[] q =
            model
                .embed(
                    EmbeddingRequest.builder()
                        .input(texts.get(0))
                        .inputType(EmbeddingInputType.QUERY)
                        .build())
                .embeddings()
                .get(0)
                .vector();
        assertArrayEquals(query, q, 1e-5f);
        assertFalse(java.util.Arrays.equals(q, got.get(0).vector()), "bge prefixes queries");
        assertEquals(3, model.stats().embedded());
        assertThrows(
            UnsupportedFeatureException.class,
            () -> model.embed(EmbeddingRequest.builder().input("x").dimensions(8).build()));
      }
    }
    try (EmbedstoreEmbeddingModel again =
        EmbedstoreEmbeddingModel.builder()
            .model("bge-small-en-v1.5")
            .cacheFolder(tmp.resolve("c"))
            .build()) {
      var got = again.embedAll(texts.stream().map(TextSegment::from).toList()).content();
      assertEquals(0, again.stats().embedded());
      assertEquals(2, again.stats().hits());
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(expected.get(i), got.get(i).vector(), 1e-5f);
      }
    }
  }
}
