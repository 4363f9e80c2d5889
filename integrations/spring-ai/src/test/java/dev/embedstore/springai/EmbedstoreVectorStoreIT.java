package dev.embedstore.springai;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;

/**
 * Spring AI's own vector store tests, unmodified, on a Lucene store that embeds with the bundled
 * all-MiniLM-L6-v2 model through its own cache (the auto-configuration's arrangement).
 */
class EmbedstoreVectorStoreIT extends BaseVectorStoreTests {
  private static OnnxEmbedder onnx;
  @TempDir static Path tmp;
  private static int stores;

  @BeforeAll
  static void loadModel() {
    onnx = OnnxEmbedder.bundled("all-minilm-l6-v2");
  }

  @AfterAll
  static void closeModel() {
    onnx.close();
  }

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    try (LuceneVectorStore store = LuceneVectorStore.open(tmp.resolve("s" + stores++), onnx);
        EmbedstoreEmbeddingModel model = EmbedstoreEmbeddingModel.builder().store(store).build()) {
      EmbedstoreVectorStore vectorStore = EmbedstoreVectorStore.builder(store, model).build();
      if (!vectorStore.storeEmbeds()) {
        throw new AssertionError("the store should embed with its own model");
      }
      testFunction.accept(vectorStore);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
