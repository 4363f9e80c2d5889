package dev.embedstore.springai;

import dev.embedstore.embed.ExternalModel;
import dev.embedstore.lucene.LuceneVectorStore;
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
 * Spring AI's own vector store tests, unmodified, with the vectors coming from the application's
 * model (here the bundled one with its own cache folder, standing for any Spring AI model) into a
 * store opened with an external model.
 */
class EmbedstoreVectorStoreExternalModelIT extends BaseVectorStoreTests {
  @TempDir static Path tmp;
  private static EmbedstoreEmbeddingModel model;
  private static int stores;

  @BeforeAll
  static void openModel() throws IOException {
    model = EmbedstoreEmbeddingModel.builder().cacheFolder(tmp.resolve("cache")).build();
  }

  @AfterAll
  static void closeModel() throws IOException {
    model.close();
  }

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    try (LuceneVectorStore store =
        LuceneVectorStore.open(
            tmp.resolve("s" + stores++), ExternalModel.of("spring-ai/all-minilm-l6-v2", 384))) {
      EmbedstoreVectorStore vectorStore = EmbedstoreVectorStore.builder(store, model).build();
      if (vectorStore.storeEmbeds()) {
        throw new AssertionError("an external store takes the model's vectors");
      }
      testFunction.accept(vectorStore);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
