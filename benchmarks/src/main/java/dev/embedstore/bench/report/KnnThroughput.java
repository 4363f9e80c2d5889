package dev.embedstore.bench.report;

import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.npy.NpyReader;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * kNN queries per second of a store in one warm JVM, one query at a time, against recall@10 at
 * several oversample settings: the in-process figure to set beside FAISS's queries per second at
 * equal recall ({@code benchmarks/peers/faiss_hnsw.py} measures FAISS the same way). Query vectors
 * come from a {@code .npy} file (as {@code embed --role query} writes them), so the model is only
 * opened to check the store's fingerprint; exact search over the same vectors gives the truth.
 *
 * <p>Run on a store that {@link ScaleReport} kept: {@code ./benchmarks/run
 * dev.embedstore.bench.report.KnnThroughput DIR/store DIR/queries.npy [MODEL [SWEEPS]]}. With
 * SWEEPS above 1 the settings are measured again that many times, in the same JVM: the first
 * settings of the first sweep run while the JIT is still compiling Lucene's search, so read the
 * last sweep.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class KnnThroughput {
  private static final int K = 10;
  private static final int[] OVERSAMPLES = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  private static final int ROUNDS = 3;

  private KnnThroughput() {}

  /**
   * Measures and prints one line per setting.
   *
   * @param args the store, the query vectors and optionally the store's model name
   * @throws IOException if the store or the vectors cannot be read
   */
  public static void main(String[] args) throws IOException {
    Path store = Path.of(args[0]);
    List<float[]> queries = new ArrayList<>();
    try (NpyReader r = NpyReader.open(Path.of(args[1]))) {
      for (float[] v = r.next(); v != null; v = r.next()) {
        queries.add(v);
      }
    }
    String model = args.length > 2 ? args[2] : "all-minilm-l6-v2-q";
    int sweeps = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    try (OnnxEmbedder embedder = OnnxEmbedder.open(model);
        LuceneVectorStore s = LuceneVectorStore.openReadOnly(store, embedder)) {
      List<Set<String>> truth = new ArrayList<>();
      long t0 = System.nanoTime();
      for (float[] q : queries) {
        truth.add(ids(s.search(request(q, SearchMode.EXACT, 1))));
      }
      System.out.printf(
          Locale.ROOT,
          "%d documents, %d queries, k=%d; exact search %.1f queries/s%n",
          s.count(),
          queries.size(),
          K,
          queries.size() / ((System.nanoTime() - t0) / 1e9));
      for (int sweep = 1; sweep <= sweeps; sweep++) {
        if (sweeps > 1) {
          System.out.printf(Locale.ROOT, "sweep %d of %d%n", sweep, sweeps);
        }
        sweep(s, queries, truth);
      }
    }
  }

  private static void sweep(LuceneVectorStore s, List<float[]> queries, List<Set<String>> truth)
      throws IOException {
    for (int oversample : OVERSAMPLES) {
      for (float[] q : queries) { // warm-up: compiles the search path, reads the graph's pages
        s.search(request(q, SearchMode.VECTOR, oversample));
      }
      double best = Double.MAX_VALUE;
      long found = 0;
      for (int round = 0; round < ROUNDS; round++) {
        found = 0;
        long start = System.nanoTime();
        for (int i = 0; i < queries.size(); i++) {
          Set<String> got = ids(s.search(request(queries.get(i), SearchMode.VECTOR, oversample)));
          got.retainAll(truth.get(i));
          found += got.size();
        }
        best = Math.min(best, (System.nanoTime() - start) / 1e9);
      }
      System.out.printf(
          Locale.ROOT,
          "oversample %d (k'=%d): recall@10 %.4f, %.1f queries/s (best of %d rounds)%n",
          oversample,
          K * oversample,
          found / (double) (K * queries.size()),
          queries.size() / best,
          ROUNDS);
    }
  }

  private static SearchRequest request(float[] vector, SearchMode mode, int oversample) {
    return new SearchRequest(null, vector, K, mode, null, oversample, false);
  }

  private static Set<String> ids(List<SearchHit> hits) {
    Set<String> out = new HashSet<>();
    for (SearchHit h : hits) {
      out.add(h.id());
    }
    return out;
  }
}
