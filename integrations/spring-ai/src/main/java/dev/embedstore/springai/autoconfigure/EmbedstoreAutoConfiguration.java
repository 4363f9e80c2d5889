package dev.embedstore.springai.autoconfigure;

import dev.embedstore.embed.ExternalModel;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.springai.EmbedstoreEmbeddingModel;
import dev.embedstore.springai.EmbedstoreVectorStore;
import dev.embedstore.store.VectorStore;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureOrder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;

/**
 * Spring Boot auto-configuration: with {@code embedstore.folder} set, an application gets a Spring
 * AI {@code VectorStore} on a Lucene store in that folder.
 *
 * <ul>
 *   <li>Without an {@code EmbeddingModel} bean of its own, the store embeds with the bundled model
 *       {@code embedstore.model} (default {@code all-minilm-l6-v2-q}) through its own cache, and
 *       the context gains an {@link EmbedstoreEmbeddingModel} over the store as its {@code
 *       EmbeddingModel}: one folder holds documents and every vector.
 *   <li>With one (a remote API's, say), the store holds that model's vectors, recorded under {@code
 *       embedstore.external-model-name} (default: the model's class name) and its dimension.
 * </ul>
 *
 * <p>Each bean backs off when the application defines its own: an Embedstore {@link VectorStore}, a
 * Spring AI {@code VectorStore}. The store (and the bundled model) are closed with the context.
 * Ordered last, so that model auto-configurations run first.
 *
 * <p>Stateless; Spring calls it once per context.
 */
@AutoConfiguration
@AutoConfigureOrder(Ordered.LOWEST_PRECEDENCE)
@ConditionalOnClass({org.springframework.ai.vectorstore.VectorStore.class, LuceneVectorStore.class})
@ConditionalOnProperty(prefix = "embedstore", name = "folder")
@EnableConfigurationProperties(EmbedstoreProperties.class)
@Import({
  EmbedstoreAutoConfiguration.ApplicationModel.class,
  EmbedstoreAutoConfiguration.BundledModel.class
})
public class EmbedstoreAutoConfiguration {
  /** Created by Spring. */
  public EmbedstoreAutoConfiguration() {}

  /**
   * The Spring AI vector store on the Embedstore store.
   *
   * @param store the Embedstore store
   * @param embeddingModel the model of its vectors
   * @param observations the observation registry, if any
   * @param batching the batching strategy, if any
   * @return the vector store
   */
  @Bean
  @ConditionalOnMissingBean(org.springframework.ai.vectorstore.VectorStore.class)
  public EmbedstoreVectorStore vectorStore(
      VectorStore store,
      EmbeddingModel embeddingModel,
      ObjectProvider<ObservationRegistry> observations,
      ObjectProvider<BatchingStrategy> batching) {
    EmbedstoreVectorStore.Builder b =
        EmbedstoreVectorStore.builder(store, embeddingModel)
            .observationRegistry(observations.getIfUnique(() -> ObservationRegistry.NOOP));
    BatchingStrategy strategy = batching.getIfUnique();
    if (strategy != null) {
      b.batchingStrategy(strategy);
    }
    return b.build();
  }

  /** The application has an embedding model: the store holds its vectors. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(EmbeddingModel.class)
  static class ApplicationModel {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(VectorStore.class)
    LuceneVectorStore embedstoreStore(EmbedstoreProperties properties, EmbeddingModel model)
        throws IOException {
      String name =
          properties.externalModelName() != null
              ? properties.externalModelName()
              : model.getClass().getName();
      return LuceneVectorStore.open(
          properties.folder(), ExternalModel.of(name, model.dimensions()));
    }
  }

  /** No embedding model: the store embeds with a bundled one, through its cache. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(EmbeddingModel.class)
  static class BundledModel {
    @Bean(destroyMethod = "close")
    OnnxEmbedder embedstoreModel(EmbedstoreProperties properties) throws IOException {
      return OnnxEmbedder.open(properties.model());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(VectorStore.class)
    LuceneVectorStore embedstoreStore(EmbedstoreProperties properties, OnnxEmbedder model)
        throws IOException {
      return LuceneVectorStore.open(properties.folder(), model);
    }

    @Bean(destroyMethod = "close")
    EmbedstoreEmbeddingModel embeddingModel(VectorStore store) throws IOException {
      return EmbedstoreEmbeddingModel.builder().store(store).build();
    }
  }
}
