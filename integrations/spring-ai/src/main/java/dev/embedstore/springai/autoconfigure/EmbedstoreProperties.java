package dev.embedstore.springai.autoconfigure;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code embedstore.*} properties. Immutable.
 *
 * @param folder {@code embedstore.folder}: the store's folder, created when absent; setting it
 *     turns the auto-configuration on
 * @param model {@code embedstore.model}: the bundled model (or model folder) the store embeds with,
 *     when the application defines no {@code EmbeddingModel} of its own; default {@code
 *     all-minilm-l6-v2-q}
 * @param externalModelName {@code embedstore.external-model-name}: the name recorded for the
 *     application's own {@code EmbeddingModel}, when it defines one (such as {@code
 *     openai/text-embedding-3-small}); default the model's class name
 */
@ConfigurationProperties(prefix = "embedstore")
public record EmbedstoreProperties(
    Path folder, @DefaultValue("all-minilm-l6-v2-q") String model, String externalModelName) {}
