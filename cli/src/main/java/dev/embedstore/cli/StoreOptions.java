package dev.embedstore.cli;

import dev.embedstore.embed.Embedder;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every store command shares: where the store is and which model embeds. */
final class StoreOptions {
  @Option(names = "--store", required = true, paramLabel = "DIR", description = "The store folder.")
  Path store;

  @Option(
      names = "--model",
      paramLabel = "NAME|DIR",
      description =
          "A bundled model (all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5) or a model"
              + " folder. Default: the store's model, or all-minilm-l6-v2-q for a new store.")
  String model;

  /** Opens the model: the one named, else the store's own (when bundled), else the default. */
  OnnxEmbedder openModel() throws IOException, CliException {
    String name = model;
    if (name == null && hasStore()) {
      name = info().modelName();
      try {
        BundledModel.byName(name);
      } catch (IllegalArgumentException e) {
        throw new CliException(
            "store "
                + store
                + " was built with model folder "
                + name
                + "; give it with --model DIR");
      }
    }
    return OnnxEmbedder.open(name == null ? BundledModel.DEFAULT.modelName() : name);
  }

  /** Fails, naming the folder and how to create a store, when there is no store there. */
  void requireStore() throws IOException, CliException {
    if (!hasStore()) {
      throw new CliException(
          "no store at " + store + "; create one with: embedstore index PATH --store " + store);
    }
  }

  boolean hasStore() throws IOException {
    if (!Files.isDirectory(store)) {
      return false;
    }
    try (var files = Files.list(store)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("segments_"));
    }
  }

  /**
   * Opens the store the options name, for commands that need nothing beyond {@link VectorStore}.
   *
   * @param model the model
   * @return the store; close it
   * @throws IOException if it cannot be opened
   */
  VectorStore open(Embedder model) throws IOException {
    return open(model, false, null);
  }

  /**
   * Opens the store the options name.
   *
   * @param model the model
   * @param persistQueries whether query vectors are kept in the store's cache
   * @param commitInterval texts embedded between commits, or null for the default
   * @return the store; close it
   * @throws IOException if it cannot be opened
   */
  VectorStore open(Embedder model, boolean persistQueries, Integer commitInterval)
      throws IOException {
    StoreConfig config =
        commitInterval == null ? null : StoreConfig.DEFAULT.withCommitInterval(commitInterval);
    return LuceneVectorStore.open(store, model, config, persistQueries);
  }

  /**
   * Opens the store the options name for searching only: no write lock, so a search runs while
   * another process indexes the store.
   *
   * @param model the model
   * @return the store; close it
   * @throws IOException if there is no store or it cannot be read
   */
  VectorStore openForSearch(Embedder model) throws IOException {
    return LuceneVectorStore.openReadOnly(store, model);
  }

  /**
   * Opens the Lucene store the options name, for the commands that use its extras (cache import,
   * gc, rebuild).
   *
   * @param model the model
   * @return the store; close it
   * @throws IOException if it cannot be opened
   */
  LuceneVectorStore openLucene(Embedder model) throws IOException {
    return LuceneVectorStore.open(store, model);
  }

  /**
   * What the store is, read without a model or the write lock.
   *
   * @return the description
   * @throws IOException if it is not a store
   */
  StoreInfo info() throws IOException {
    return LuceneVectorStore.readInfo(store);
  }
}
