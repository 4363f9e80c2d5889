package dev.embedstore.bench.micro;

import dev.embedstore.lucene.internal.Fields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
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
 * Does an id allow-list of sorted term seeks collected in a RoaringBitmap ({@link RoaringIdFilter},
 * what {@code Filter.idIn} once used) earn its place against Lucene's own {@link TermInSetQuery}
 * (what it uses now) on the store's id field? An index of {@code documents} one-chunk documents
 * (the store's id field), and allow-lists of {@code ids} random ids, counted both ways. The count
 * is the part where the two differ: a kNN search pre-filtered by either turns the filter's iterator
 * into the same accepted-docs bit set.
 *
 * <p>The index is built once per size into a folder under {@code java.io.tmpdir} and reused by
 * later runs and forks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx2g",
      "--add-modules",
      "jdk.incubator.vector",
      "--enable-native-access=ALL-UNNAMED"
    })
public class IdAllowListBenchmark {
  /** Documents in the index. */
  @Param({"1000000"})
  public int documents;

  /** Ids in the allow-list. */
  @Param({"10000", "100000", "1000000"})
  public int ids;

  private FSDirectory dir;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private Query roaring;
  private Query termInSet;

  /**
   * Opens (building it the first time) the index, and makes the two filters.
   *
   * @throws IOException if the index cannot be built
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path folder =
        Path.of(System.getProperty("java.io.tmpdir"), "embedstore-idallow-v2-" + documents);
    if (!Files.isDirectory(folder) || !Files.exists(folder.resolve("complete"))) {
      build(folder, documents);
    }
    dir = FSDirectory.open(folder);
    reader = DirectoryReader.open(dir);
    searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null); // every call evaluates its filter
    Random random = new Random(42);
    Set<String> list = new HashSet<>();
    while (list.size() < ids) {
      list.add("doc-" + random.nextInt(documents));
    }
    roaring = RoaringIdFilter.query(list);
    List<BytesRef> terms = new ArrayList<>(list.size());
    for (String id : list) {
      terms.add(new BytesRef(id));
    }
    termInSet = new TermInSetQuery(Fields.ID, terms);
    if (searcher.count(roaring) != searcher.count(termInSet)) {
      throw new IllegalStateException("the two filters disagree");
    }
  }

  private static void build(Path folder, int documents) throws IOException {
    Files.createDirectories(folder);
    IndexWriterConfig config = new IndexWriterConfig().setRAMBufferSizeMB(256);
    try (FSDirectory d = FSDirectory.open(folder);
        IndexWriter w = new IndexWriter(d, config.setOpenMode(IndexWriterConfig.OpenMode.CREATE))) {
      for (int i = 0; i < documents; i++) {
        Document doc = new Document();
        doc.add(new StringField(Fields.ID, "doc-" + i, Field.Store.NO));
        w.addDocument(doc);
      }
    }
    Files.writeString(folder.resolve("complete"), "built\n");
  }

  /**
   * Closes the index (it stays on disk for the next run).
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    dir.close();
  }

  /**
   * The allow-list alone, as {@link RoaringIdFilter}.
   *
   * @return the matches
   * @throws IOException if the search fails
   */
  @Benchmark
  public int countRoaring() throws IOException {
    return searcher.count(roaring);
  }

  /**
   * The allow-list alone, as {@link TermInSetQuery}.
   *
   * @return the matches
   * @throws IOException if the search fails
   */
  @Benchmark
  public int countTermInSet() throws IOException {
    return searcher.count(termInSet);
  }
}
