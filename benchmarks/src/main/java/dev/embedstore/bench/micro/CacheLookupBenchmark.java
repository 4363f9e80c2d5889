package dev.embedstore.bench.micro;

import dev.embedstore.bench.TempFolders;
import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.LuceneEmbeddingCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batched lookups in a {@link LuceneEmbeddingCache} of 384-dimensional vectors, at 10k and 1M
 * entries (the 1M cache is about 1.6 GB and takes a few minutes to write at setup). Scores are keys
 * per second: each operation looks up one batch of 1,000 random keys, half of them absent. Also the
 * raw cost of reading one stored vector by doc id, which bounds a hit's cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "--enable-native-access=ALL-UNNAMED",
      "-Xmx4g"
    })
public class CacheLookupBenchmark {
  private static final int DIM = 384;
  private static final int BATCH = 1000;

  /** Entries in the cache. */
  @Param({"10000", "1000000"})
  public int entries;

  private Path folder;
  private LuceneEmbeddingCache cache;
  private DirectoryReader reader;
  private StoredFields stored;
  private final ModelFingerprint fp =
      ModelFingerprint.builder().add("cache-benchmark", "1").build();
  private final SplittableRandom random = new SplittableRandom(42);

  /**
   * Writes the cache.
   *
   * @throws IOException if it cannot be written
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    folder = Files.createTempDirectory("cache-bench");
    cache = LuceneEmbeddingCache.open(folder);
    List<CacheEntry> batch = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      batch.add(
          new CacheEntry(
              key(i), fp, Role.DOCUMENT, RandomEmbedder.vector("t" + i, Role.DOCUMENT, DIM)));
      if (batch.size() == 10_000) {
        cache.putAll(batch);
        batch.clear();
      }
    }
    cache.putAll(batch);
    cache.commit();
    reader = DirectoryReader.open(FSDirectory.open(folder));
    stored = reader.storedFields();
  }

  private CacheKey key(int i) {
    return CacheKey.of(fp, "", Role.DOCUMENT, "text " + i);
  }

  /**
   * Looks up one batch: 500 present keys and 500 absent ones, in random order.
   *
   * @return the vectors found
   * @throws IOException if the index fails
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float[][] lookupBatch() throws IOException {
    List<CacheKey> keys = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      keys.add(i % 2 == 0 ? key(random.nextInt(entries)) : key(entries + random.nextInt(entries)));
    }
    return cache.getAll(keys);
  }

  /**
   * Reads one stored vector by a random doc id.
   *
   * @return the stored bytes' length
   * @throws IOException if the index fails
   */
  @Benchmark
  public int storedVectorRead() throws IOException {
    return stored
        .document(random.nextInt(reader.maxDoc()), Set.of("vec"))
        .getBinaryValue("vec")
        .length;
  }

  /**
   * Deletes the cache.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    cache.close();
    TempFolders.delete(folder);
  }
}
