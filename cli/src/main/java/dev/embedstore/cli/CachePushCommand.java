package dev.embedstore.cli;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.solr.SolrVectorStore;
import dev.embedstore.solr.StorePush;
import dev.embedstore.store.Filter;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedstore cache push}: moves a local store's cached vectors, and optionally its
 * documents, into a store in a SolrCloud collection, with no model call at any step.
 */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Copy a local store's cached vectors of its model into a store in a SolrCloud collection"
          + " (created when missing), skipping those the collection holds; with --documents, its"
          + " documents too. The model never runs: indexing the same texts into the collection"
          + " afterwards embeds nothing.",
    })
final class CachePushCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, paramLabel = "DIR", description = "The local store.")
  Path store;

  @Option(
      names = "--solr",
      required = true,
      paramLabel = "URL[,URL...]",
      split = ",",
      description = "Base URLs of one or more nodes of the cluster (http://host:8983/solr).")
  List<String> solr;

  @Option(
      names = "--collection",
      required = true,
      paramLabel = "NAME",
      description = "The collection to push into.")
  String collection;

  @Option(
      names = "--documents",
      description =
          "Push the documents too (text, title, metadata), split as 'index' split them; their"
              + " vectors come from the pushed cache.")
  boolean documents;

  @Option(
      names = "--chunk-tokens",
      paramLabel = "N",
      description = "With --documents: the --chunk-tokens the JSON records were indexed with.")
  Integer chunkTokens;

  @Option(
      names = "--shards",
      paramLabel = "N",
      description = "When the collection is created: its shards (default: 2).")
  Integer shards;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      description = "When the collection is created: replicas per shard (default: 2).")
  Integer replicas;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StoreOptions from = new StoreOptions();
    from.store = store;
    from.requireStore();
    StoreOptions to = new StoreOptions();
    to.solr = solr;
    to.collection = collection;
    to.shards = shards;
    to.replicas = replicas;
    if (chunkTokens != null && !documents) {
      throw CliException.usage("--chunk-tokens goes with --documents");
    }
    long t0 = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    try (OnnxEmbedder model = from.openModel();
        VectorStore local =
            LuceneVectorStore.openReadOnly(store, StorePush.withoutModelCalls(model));
        VectorStore cluster =
            SolrVectorStore.open(to.solrConfig(null), StorePush.withoutModelCalls(model))) {
      StorePush.CacheResult c = StorePush.cache(local, cluster, model.fingerprint());
      out.put("entries", c.entries());
      out.put("copied", c.copied());
      out.put("present", c.present());
      if (documents) {
        UpsertResult r = pushDocuments(model, local, cluster);
        out.put("documents", r.documents());
        out.put("added", r.added());
        out.put("updated", r.updated());
        out.put("unchanged", r.unchanged());
        out.put("chunks", r.chunks());
        out.put("embedded", r.embedded());
      }
    }
    out.put("seconds", (System.nanoTime() - t0) / 1e9);
    if (json) {
      Json.writeLine(Terminal.out(), out);
      return 0;
    }
    Terminal.out()
        .printf(
            Locale.ROOT,
            "pushed %d cached vectors of %s to %s: %d copied, %d already there%n",
            out.get("entries"),
            store,
            to.describe(),
            out.get("copied"),
            out.get("present"));
    if (documents) {
      Terminal.out()
          .printf(
              Locale.ROOT,
              "pushed %d documents: %d added, %d updated, %d unchanged; %d texts embedded%n",
              out.get("documents"),
              out.get("added"),
              out.get("updated"),
              out.get("unchanged"),
              out.get("embedded"));
    }
    return 0;
  }

  private UpsertResult pushDocuments(OnnxEmbedder model, VectorStore local, VectorStore cluster)
      throws Exception {
    try (Progress progress = new Progress("pushing documents", local.count())) {
      UpsertResult a =
          StorePush.documents(
              local,
              cluster,
              IndexCommand.FROM_FILES,
              IndexCommand.fileSplitter(model),
              (d, e, h) -> progress.update(d, e, h));
      long done = a.documents();
      UpsertResult b =
          StorePush.documents(
              local,
              cluster,
              Filter.not(IndexCommand.FROM_FILES),
              IndexCommand.recordSplitter(model, chunkTokens),
              (d, e, h) -> progress.update(done + d, a.embedded() + e, a.cacheHits() + h));
      return a.plus(b);
    } catch (UnsupportedOperationException e) {
      throw new CliException(e.getMessage());
    }
  }
}
