package dev.embedstore.it;

import static dev.embedstore.it.CliIT.field;
import static dev.embedstore.it.CliIT.ok;
import static dev.embedstore.it.LauncherIT.embedstore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import dev.embedstore.solr.testing.SolrTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI against a real two-node SolrCloud cluster: {@code --solr URL --collection NAME} on
 * the store commands, and {@code cache push} moving a local store into the cluster with no model
 * call.
 */
class SolrCliIT {
  private static final String[] TOPICS = {
    "Espresso is brewed by forcing hot water through finely ground coffee beans.",
    "The borrow checker in Rust enforces ownership and lifetimes at compile time.",
    "Tomatoes need full sun, steady watering and well-drained soil to ripen.",
    "The Sicilian defence answers the king's pawn opening with the c-pawn.",
    "Sourdough bread rises slowly overnight thanks to wild yeast and lactobacilli.",
  };

  private static SolrTestCluster cluster;
  private static String urls;

  @TempDir Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = SolrTestCluster.start(SolrTestCluster.freshFolder("SolrCliIT"));
    urls = String.join(",", cluster.urls());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Path corpus(int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(
          String.format(
              Locale.ROOT,
              "{\"id\":\"doc-%d\",\"title\":\"Note %d\",\"text\":\"%s (note %d)\","
                  + "\"metadata\":{\"year\":%d,\"topic\":\"t%d\"}}",
              i,
              i,
              TOPICS[i % TOPICS.length],
              i,
              2000 + i % 25,
              i % TOPICS.length));
    }
    Path file = tmp.resolve("corpus.jsonl");
    Files.write(file, lines);
    return file;
  }

  private static List<String> hitIds(String json) {
    List<String> ids = new ArrayList<>();
    Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(json);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  @Test
  void aLocalStoreMovesIntoTheClusterWithNoModelCallAndEveryCommandWorksOnIt() throws Exception {
    Path corpus = corpus(60);
    Path local = tmp.resolve("local");
    Path files = Files.createDirectories(tmp.resolve("files"));
    Files.writeString(files.resolve("coffee.txt"), "A flat white is espresso with steamed milk.");
    Run built =
        ok("index", corpus.toString(), files.toString(), "--store", local.toString(), "--json");
    assertEquals(61, field(built.stdout(), "added"));
    long entries = field(built.stdout(), "embedded");

    String[] solr = {"--solr", urls, "--collection", "moved"};
    Run push =
        ok(
            "cache",
            "push",
            "--store",
            local.toString(),
            "--solr",
            urls,
            "--collection",
            "moved",
            "--documents",
            "--shards",
            "2",
            "--replicas",
            "1",
            "--json");
    assertEquals(entries, field(push.stdout(), "entries"), push.stdout());
    assertEquals(entries, field(push.stdout(), "copied"), push.stdout());
    assertEquals(61, field(push.stdout(), "added"), push.stdout());
    assertEquals(0, field(push.stdout(), "embedded"), push.stdout());

    Run again =
        ok(
            "cache",
            "push",
            "--store",
            local.toString(),
            "--solr",
            urls,
            "--collection",
            "moved",
            "--json");
    assertEquals(0, field(again.stdout(), "copied"), again.stdout());
    assertEquals(entries, field(again.stdout(), "present"), again.stdout());

    Run stats = ok(concat(new String[] {"stats", "--json"}, solr));
    assertEquals(61, field(stats.stdout(), "documents"), stats.stdout());
    assertTrue(stats.stdout().contains("\"backend\":\"solr\""), stats.stdout());
    assertTrue(stats.stdout().contains("\"collection\":\"moved\""), stats.stdout());

    // The same vectors in both: the same documents come first (near-ties among a topic's notes may
    // order differently between Lucene 9 and 10, so the check is by topic and top score).
    String[][] queries = {
      {"rust ownership rules", "1"}, {"chess openings", "3"}, {"sourdough yeast", "4"}
    };
    for (String[] q : queries) {
      Run there = ok(concat(new String[] {"search", q[0], "-k", "3", "--json"}, solr));
      Run here = ok("search", q[0], "-k", "3", "--json", "--store", local.toString());
      for (Run r : List.of(there, here)) {
        List<String> ids = hitIds(r.stdout());
        assertEquals(3, ids.size(), r.stdout());
        for (String id : ids) {
          assertEquals(
              q[1],
              String.valueOf(Integer.parseInt(id.substring(4)) % TOPICS.length),
              q[0] + ": " + r.stdout());
        }
      }
      assertEquals(topScore(here.stdout()), topScore(there.stdout()), 1e-4, q[0]);
    }
    Run filtered =
        ok(
            concat(
                new String[] {"search", "coffee", "-k", "50", "--filter", "year>=2020", "--json"},
                solr));
    List<String> ids = hitIds(filtered.stdout());
    assertTrue(!ids.isEmpty(), filtered.stdout());
    for (String id : ids) {
      int i = Integer.parseInt(id.substring("doc-".length()));
      assertTrue(2000 + i % 25 >= 2020, id + " does not match year>=2020");
    }

    // Re-indexing the same input into the cluster embeds nothing: every vector is in its cache.
    Run reindex =
        ok(concat(new String[] {"index", corpus.toString(), files.toString(), "--json"}, solr));
    assertEquals(0, field(reindex.stdout(), "embedded"), reindex.stdout());
    assertEquals(61, field(reindex.stdout(), "unchanged"), reindex.stdout());

    ok(concat(new String[] {"delete", "doc-0", "doc-1"}, solr));
    assertEquals(
        59, field(ok(concat(new String[] {"stats", "--json"}, solr)).stdout(), "documents"));

    Path vectors = tmp.resolve("v.npy");
    Path texts = tmp.resolve("texts.txt");
    Files.writeString(texts, TOPICS[0] + " (note 0)\n");
    Run embed =
        ok(
            concat(
                new String[] {"embed", "--in", texts.toString(), "--out", vectors.toString()},
                solr));
    assertTrue(Files.size(vectors) > 384 * 4, embed.stderr());
  }

  @Test
  void aNewCollectionIsCreatedByIndexAndTheOptionsAreCheckedWithClearErrors() throws Exception {
    Path corpus = corpus(10);
    String[] solr = {"--solr", urls, "--collection", "fresh"};
    Run cold =
        ok(
            concat(
                new String[] {
                  "index", corpus.toString(), "--shards", "1", "--replicas", "2", "--json"
                },
                solr));
    assertEquals(10, field(cold.stdout(), "added"));
    assertEquals(10, field(cold.stdout(), "embedded"));
    Run search =
        ok(concat(new String[] {"search", "baking bread overnight", "-k", "1", "--json"}, solr));
    assertTrue(search.stdout().contains("\"id\":\"doc-4\""), search.stdout());

    Run both = embedstore("stats", "--store", tmp.toString(), "--solr", urls, "--collection", "x");
    assertEquals(2, both.exitCode(), both.stderr());
    assertTrue(both.stderr().contains("not both"), both.stderr());
    Run half = embedstore("stats", "--solr", urls);
    assertEquals(2, half.exitCode(), half.stderr());
    assertTrue(half.stderr().contains("--collection"), half.stderr());
    Run none = embedstore("stats");
    assertEquals(2, none.exitCode(), none.stderr());
    Run gc = embedstore(concat(new String[] {"cache", "gc"}, solr));
    assertEquals(2, gc.exitCode(), gc.stderr());
    assertTrue(gc.stderr().contains("local store only"), gc.stderr());
    Run missing = embedstore("search", "x", "--solr", urls, "--collection", "nosuch");
    assertEquals(1, missing.exitCode(), missing.stderr());
    assertTrue(missing.stderr().contains("no store at Solr collection nosuch"), missing.stderr());
    Run badUrl = embedstore("stats", "--solr", "ftp://nowhere", "--collection", "c");
    assertEquals(2, badUrl.exitCode(), badUrl.stderr());
  }

  private static double topScore(String json) {
    Matcher m = Pattern.compile("\"score\":([-0-9.eE]+)").matcher(json);
    assertTrue(m.find(), json);
    return Double.parseDouble(m.group(1));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
