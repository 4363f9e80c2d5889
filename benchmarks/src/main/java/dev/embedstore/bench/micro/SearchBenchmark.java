package dev.embedstore.bench.micro;

import dev.embedstore.bench.TempFolders;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.Quantization;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Query latency of a store of 384-dimensional vectors (random unit vectors: no model time, the hard
 * case for HNSW) with SciFact texts for BM25: kNN at several k' (the HNSW candidate-list size, k =
 * 10), float32 and int8, and hybrid (BM25 + kNN fused by reciprocal rank). Query vectors are
 * computed once and served from the store's query cache, as for repeated queries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SearchBenchmark {
  /** Documents in the store. */
  @Param({"20000"})
  public int documents;

  /** The HNSW candidate-list size over k = 10. */
  @Param({"1", "4", "16"})
  public int oversample;

  /** Vector quantisation. */
  @Param({"NONE", "INT8"})
  public Quantization quantization;

  private Path folder;
  private LuceneVectorStore store;
  private List<String> queries;
  private int next;

  /**
   * Builds the store.
   *
   * @throws IOException if it cannot be built
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    folder = Files.createTempDirectory("search-bench");
    List<String> texts = TokenizerBenchmark.Data.texts(documents);
    List<Document> docs = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      docs.add(new Document("d" + i, texts.get(i) + " #" + i, null, Map.of()));
    }
    store =
        LuceneVectorStore.open(
            folder,
            new RandomEmbedder(384),
            StoreConfig.DEFAULT.withQuantization(quantization).withCommitInterval(100_000));
    store.upsert(docs);
    queries = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String words = texts.get(i * 7 % texts.size());
      queries.add(words.substring(0, Math.min(60, words.length())));
    }
    for (String q : queries) {
      store.embed(List.of(q), Role.QUERY);
    }
  }

  /**
   * One kNN query, k = 10.
   *
   * @return the hits
   * @throws IOException if the index fails
   */
  @Benchmark
  public List<SearchHit> knn() throws IOException {
    return store.search(
        new SearchRequest(
            queries.get(next++ % queries.size()), 10, SearchMode.VECTOR, null, oversample));
  }

  /**
   * One hybrid query, k = 10.
   *
   * @return the hits
   * @throws IOException if the index fails
   */
  @Benchmark
  public List<SearchHit> hybrid() throws IOException {
    return store.search(
        new SearchRequest(
            queries.get(next++ % queries.size()), 10, SearchMode.HYBRID, null, oversample));
  }

  /**
   * Deletes the store.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    TempFolders.delete(folder);
  }
}
