package dev.embedstore.springai.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.springai.ConstantEmbeddingModel;
import dev.embedstore.springai.EmbedstoreEmbeddingModel;
import dev.embedstore.springai.EmbedstoreVectorStore;
import dev.embedstore.store.StoreInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration, in real application contexts. */
class EmbedstoreAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(EmbedstoreAutoConfiguration.class));

  @TempDir Path tmp;

  @Test
  void oneFolderPropertyGivesAVectorStoreThatEmbedsWithTheBundledModel() throws IOException {
    Path folder = tmp.resolve("store");
    runner
        .withPropertyValues("embedstore.folder=" + folder)
        .run(
            context -> {
              assertThat(context).hasSingleBean(VectorStore.class);
              assertThat(context).hasSingleBean(EmbeddingModel.class);
              VectorStore vectorStore = context.getBean(VectorStore.class);
              assertThat(vectorStore).isInstanceOf(EmbedstoreVectorStore.class);
              assertThat(((EmbedstoreVectorStore) vectorStore).storeEmbeds()).isTrue();
              assertThat(context.getBean(EmbeddingModel.class))
                  .isInstanceOf(EmbedstoreEmbeddingModel.class);
              vectorStore.add(
                  List.of(
                      new Document("lucene", "Lucene is a search library.", Map.of("year", 2024)),
                      new Document("tomato", "Tomatoes need sun.", Map.of("year", 2019))));
              List<Document> hits =
                  vectorStore.similaritySearch(
                      SearchRequest.builder()
                          .query("what is lucene")
                          .topK(2)
                          .filterExpression("year >= 2020")
                          .build());
              assertThat(hits).extracting(Document::getId).containsExactly("lucene");
              assertThat(context.getBean(EmbeddingModel.class).dimensions()).isEqualTo(384);
            });
    // The context closed the store: the folder reopens, holding the model and the documents.
    StoreInfo info = LuceneVectorStore.readInfo(folder);
    assertThat(info.modelName()).isEqualTo(BundledModel.DEFAULT.modelName());
    assertThat(info.documents()).isEqualTo(2);
  }

  @Test
  void theModelPropertyPicksTheBundledModel() {
    runner
        .withPropertyValues(
            "embedstore.folder=" + tmp.resolve("bge"), "embedstore.model=bge-small-en-v1.5")
        .run(
            context ->
                assertThat(
                        context.getBean(dev.embedstore.store.VectorStore.class).info().modelName())
                    .isEqualTo("bge-small-en-v1.5"));
  }

  @Test
  void anApplicationModelsVectorsGoIntoAnExternalStore() {
    runner
        .withUserConfiguration(ApplicationModel.class)
        .withPropertyValues(
            "embedstore.folder=" + tmp.resolve("ext"), "embedstore.external-model-name=constant/v1")
        .run(
            context -> {
              assertThat(context).hasSingleBean(EmbeddingModel.class);
              assertThat(context.getBean(EmbeddingModel.class))
                  .isInstanceOf(ConstantEmbeddingModel.class);
              EmbedstoreVectorStore vectorStore = context.getBean(EmbedstoreVectorStore.class);
              assertThat(vectorStore.storeEmbeds()).isFalse();
              vectorStore.add(List.of(new Document("a", "text", Map.of())));
              assertThat(context.getBean(ConstantEmbeddingModel.class).texts.get()).isEqualTo(1);
              dev.embedstore.store.VectorStore store =
                  context.getBean(dev.embedstore.store.VectorStore.class);
              assertThat(store.info().modelName()).isEqualTo("constant/v1");
              assertThat(store.info().dimension()).isEqualTo(ConstantEmbeddingModel.DIMENSION);
            });
  }

  @Test
  void backsOffWithoutTheFolderOrBesideTheApplicationsVectorStore() {
    runner.run(
        context -> {
          assertThat(context).doesNotHaveBean(VectorStore.class);
          assertThat(context).doesNotHaveBean(dev.embedstore.store.VectorStore.class);
        });
    runner
        .withUserConfiguration(ApplicationVectorStore.class)
        .withPropertyValues("embedstore.folder=" + tmp.resolve("own"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(VectorStore.class);
              assertThat(context.getBean(VectorStore.class)).isInstanceOf(SimpleVectorStore.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class ApplicationModel {
    @Bean
    ConstantEmbeddingModel constantModel() {
      return new ConstantEmbeddingModel();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ApplicationVectorStore {
    @Bean
    VectorStore simple() {
      return SimpleVectorStore.builder(new ConstantEmbeddingModel()).build();
    }
  }
}
