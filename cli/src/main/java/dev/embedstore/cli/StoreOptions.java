package dev.embedstore.cli;

import dev.embedstore.embed.Embedder;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.solr.SolrStoreConfig;
import dev.embedstore.solr.SolrVectorStore;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every store command shares: where the store is (a local folder, or a collection of a
 * SolrCloud cluster) and which model embeds.
 */
final class StoreOptions {
  @Option(names = "--store", paramLabel = "DIR", description = "The store folder.")
  Path store;

  @Option(
      names = "--solr",
      paramLabel = "URL[,URL...]",
      split = ",",
      description =
          "Use a store in a SolrCloud cluster instead of a folder: the base URLs of one or more"
              + " of its nodes (http://host:8983/solr). Needs --collection.")
  List<String> solr;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "With --solr: the collection that holds the store (created when missing).")
  String collection;

  @Option(
      names = "--shards",
      paramLabel = "N",
      description = "With --solr, when the collection is created: its shards (default: 2).")
  Integer shards;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      description = "With --solr, when the collection is created: replicas per shard (default: 2).")
  Integer replicas;

  @Option(
      names = "--model",
      paramLabel = "NAME|DIR",
      description =
          "A bundled model (all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5) or a model"
              + " folder. Default: the store's model, or all-minilm-l6-v2-q for a new store.")
  String model;

  /** What {@link #info()} read from a cluster: reaching one costs a connection each time. */
  private StoreInfo solrInfo;

  /** Fails with a usage error unless the options name exactly one store. */
  void validate() throws CliException {
    boolean local = store != null;
    boolean remote = solr != null || collection != null;
    if (local && remote) {
      throw CliException.usage("give --store DIR or --solr URL --collection NAME, not both");
    }
    if (!local && !remote) {
      throw CliException.usage("give the store: --store DIR, or --solr URL --collection NAME");
    }
    if (!remote && (shards != null || replicas != null)) {
      throw CliException.usage("--shards and --replicas are for a Solr collection (--solr)");
    }
    if (remote && (solr == null || solr.isEmpty() || collection == null || collection.isBlank())) {
      throw CliException.usage("--solr and --collection go together: give both");
    }
  }

  /** Whether the store is a Solr collection. */
  boolean isSolr() throws CliException {
    validate();
    return store == null;
  }

  /** The store for messages: its folder, or {@code Solr collection NAME at URLS}. */
  String describe() throws CliException {
    return isSolr() ? solrConfig(null).describe() : store.toString();
  }

  /**
   * The local store's folder, for the commands that work on a Lucene store only.
   *
   * @param command the command, for the message
   * @return the folder
   * @throws CliException naming the command when the store is a Solr collection
   */
  Path local(String command) throws CliException {
    if (isSolr()) {
      throw CliException.usage(
          command
              + " works on a local store only (--store DIR); a Solr collection is checked, backed"
              + " up and cleaned with Solr's own tools");
    }
    return store;
  }

  /** Opens the model: the one named, else the store's own (when bundled), else the default. */
  OnnxEmbedder openModel() throws IOException, CliException {
    String name = model;
    if (name == null && hasStore()) {
      name = isSolr() ? info().modelName() : LuceneVectorStore.readModelName(store);
      try {
        BundledModel.byName(name);
      } catch (IllegalArgumentException e) {
        throw new CliException(
            describe() + " was built with model folder " + name + "; give it with --model DIR");
      }
    }
    return OnnxEmbedder.open(modelOrFolder(name == null ? BundledModel.DEFAULT.modelName() : name));
  }

  /**
   * A {@code --model} value for {@link OnnxEmbedder#open}: a bundled model's name as it is, a model
   * folder resolved against the working folder ({@link Terminal#path}).
   */
  static String modelOrFolder(String nameOrFolder) {
    for (BundledModel m : BundledModel.values()) {
      if (m.modelName().equals(nameOrFolder)) {
        return nameOrFolder;
      }
    }
    return Terminal.path(nameOrFolder).toString();
  }

  /** Fails, naming the store and how to create it, when there is no store there. */
  void requireStore() throws IOException, CliException {
    if (!hasStore()) {
      String where =
          isSolr()
              ? "--solr " + String.join(",", solr) + " --collection " + collection
              : "--store " + store;
      throw new CliException(
          "no store at " + describe() + "; create one with: embedstore index PATH " + where);
    }
  }

  boolean hasStore() throws IOException, CliException {
    if (isSolr()) {
      try {
        info();
        return true;
      } catch (NoSuchFileException e) {
        return false;
      }
    }
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
  VectorStore open(Embedder model) throws IOException, CliException {
    return open(model, false, null);
  }

  /**
   * Opens the store the options name; a Solr collection is created when it does not exist.
   *
   * @param model the model
   * @param persistQueries whether query vectors are kept in the store's cache
   * @param commitInterval texts embedded between commits, or null for the default
   * @return the store; close it
   * @throws IOException if it cannot be opened
   */
  VectorStore open(Embedder model, boolean persistQueries, Integer commitInterval)
      throws IOException, CliException {
    if (isSolr()) {
      SolrStoreConfig.Builder b = builder(commitInterval).persistQueries(persistQueries);
      return SolrVectorStore.open(b.build(), model);
    }
    StoreConfig config =
        commitInterval == null ? null : StoreConfig.DEFAULT.withCommitInterval(commitInterval);
    return LuceneVectorStore.open(store, model, config, persistQueries);
  }

  /**
   * Opens the store the options name for searching only: a local store without its write lock, so a
   * search runs while another process indexes it.
   *
   * @param model the model
   * @return the store; close it
   * @throws IOException if there is no store or it cannot be read
   */
  VectorStore openForSearch(Embedder model) throws IOException, CliException {
    if (isSolr()) {
      return SolrVectorStore.open(solrConfig(null), model);
    }
    return LuceneVectorStore.openReadOnly(store, model);
  }

  /**
   * Opens the Lucene store the options name, for the commands that use its extras (cache import,
   * gc, rebuild).
   *
   * @param model the model
   * @param command the command, for the message when the store is not local
   * @return the store; close it
   * @throws IOException if it cannot be opened
   */
  LuceneVectorStore openLucene(Embedder model, String command) throws IOException, CliException {
    return LuceneVectorStore.open(local(command), model);
  }

  /**
   * What the store is, read without a model or the write lock.
   *
   * @return the description
   * @throws NoSuchFileException if a Solr collection does not exist
   * @throws IOException if it is not a store
   */
  StoreInfo info() throws IOException, CliException {
    if (isSolr()) {
      if (solrInfo == null) {
        solrInfo = SolrVectorStore.readInfo(solrConfig(null));
      }
      return solrInfo;
    }
    return LuceneVectorStore.readInfo(store);
  }

  /**
   * The cluster and collection the options name.
   *
   * @param commitInterval texts embedded between commits, or null for the default
   * @return the configuration
   */
  SolrStoreConfig solrConfig(Integer commitInterval) throws CliException {
    return builder(commitInterval).build();
  }

  private SolrStoreConfig.Builder builder(Integer commitInterval) throws CliException {
    List<String> urls = new ArrayList<>();
    for (String u : solr) {
      if (!u.isBlank()) {
        urls.add(u.strip());
      }
    }
    try {
      SolrStoreConfig.Builder b = SolrStoreConfig.builder(urls, collection);
      if (shards != null) {
        b.shards(shards);
      }
      if (replicas != null) {
        b.replicationFactor(replicas);
      }
      return commitInterval == null ? b : b.commitInterval(commitInterval);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
  }
}
