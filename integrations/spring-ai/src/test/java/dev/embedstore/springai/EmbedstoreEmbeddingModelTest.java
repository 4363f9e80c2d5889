package dev.embedstore.springai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embedstore.embed.Role;
import dev.embedstore.onnx.OnnxEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;

/** The bundled models as Spring AI models: the embedder's vectors, documents and queries apart. */
class EmbedstoreEmbeddingModelTest {
  @TempDir Path tmp;

  @Test
  void documentsAndQueriesAreTheEmbeddersVectors() throws IOException {
    EmbedstoreEmbeddingModel model =
        EmbedstoreEmbeddingModel.builder()
            .model("bge-small-en-v1.5")
            .cacheFolder(tmp.resolve("c"))
            .build();
    try (OnnxEmbedder onnx = OnnxEmbedder.open("bge-small-en-v1.5")) {
      assertEquals(384, model.dimensions());
      assertArrayEquals(onnx.embed("a passage", Role.DOCUMENT), model.embed("a passage"), 1e-5f);
      float[] q = model.embedQuery("a passage");
      assertArrayEquals(onnx.embed("a passage", Role.QUERY), q, 1e-5f);
      assertFalse(Arrays.equals(q, model.embed("a passage")));
      assertEquals(onnx.fingerprint(), model.fingerprint());
      IllegalArgumentException wrongDimension =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  model.call(
                      new EmbeddingRequest(
                          List.of("x"), EmbeddingOptions.builder().dimensions(128).build())));
      assertEquals(
          "model bge-small-en-v1.5 makes vectors of 384 dimensions, not 128",
          wrongDimension.getMessage());
      model.close();
      model.close();
      assertThrows(IllegalStateException.class, () -> model.embed("x"));
    }
  }
}
