package dev.embedstore.it;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.store.Document;
import dev.embedstore.testing.FakeEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child process {@link CrashIT} kills: ingests {@code n} documents into a store with a fake
 * model that takes a little time per text, committing every {@code interval} embedded texts. Prints
 * {@code ready} once the store is open. With {@code stepped}, it prints {@code batch N} after each
 * batch of the upsert (the batch's commit, when one was due, is done) and waits for a line on
 * standard input before going on, so the parent kills at a point it chose, by progress rather than
 * by the clock.
 */
public final class CrashIngest {
  private CrashIngest() {}

  /** The documents every run ingests, in order. */
  static List<Document> corpus(int n) {
    List<Document> docs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      docs.add(
          new Document(
              "doc-" + i,
              "document " + i + " talks about subject " + (i % 37) + " at length",
              null,
              Map.of("n", (long) i)));
    }
    return docs;
  }

  /** The model of every run: a fake, so runs are fast and vectors deterministic. */
  static FakeEmbedder model() {
    return new FakeEmbedder("crash-fake", 32);
  }

  /**
   * Runs one ingestion.
   *
   * @param args store folder, document count, commit interval, microseconds per text, and
   *     optionally {@code stepped}
   * @throws Exception if the ingestion fails
   */
  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int interval = Integer.parseInt(args[2]);
    long micros = Long.parseLong(args[3]);
    boolean stepped = args.length > 4 && args[4].equals("stepped");
    java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    int[] batches = {0};
    dev.embedstore.store.ProgressListener listener =
        !stepped
            ? null
            : (documents, embedded, hits) -> {
              System.out.println("batch " + ++batches[0]);
              System.out.flush();
              try {
                if (in.readLine() == null) {
                  throw new IllegalStateException("the parent went away");
                }
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            };
    FakeEmbedder fake = model();
    Embedder slow =
        new Embedder() {
          @Override
          public String modelName() {
            return fake.modelName();
          }

          @Override
          public ModelFingerprint fingerprint() {
            return fake.fingerprint();
          }

          @Override
          public int dimension() {
            return fake.dimension();
          }

          @Override
          public List<float[]> embed(List<String> texts, Role role) {
            long until = System.nanoTime() + micros * 1000 * texts.size();
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
            return fake.embed(texts, role);
          }

          @Override
          public void close() {}
        };
    try (LuceneVectorStore store =
        LuceneVectorStore.open(folder, slow, StoreConfig.DEFAULT.withCommitInterval(interval))) {
      System.out.println("ready");
      System.out.flush();
      store.upsert(corpus(n), null, listener);
    }
    System.out.println("done");
  }
}
