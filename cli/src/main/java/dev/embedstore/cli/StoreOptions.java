package dev.embedstore.cli;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreInfo;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
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
              + " folder. Default: the store's model, or all-minilm-l6-v2 for a new store.")
  String model;

  /** Opens the model: the one named, else the store's own (when bundled), else the default. */
  OnnxEmbedder openModel() throws IOException, CliException {
    String name = model;
    if (name == null && hasStore()) {
      StoreInfo info = LuceneVectorStore.readInfo(store);
      name = info.modelName();
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

  LuceneVectorStore open(OnnxEmbedder embedder) throws IOException {
    return LuceneVectorStore.open(store, embedder);
  }
}
