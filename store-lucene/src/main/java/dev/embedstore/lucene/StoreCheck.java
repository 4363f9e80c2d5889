package dev.embedstore.lucene;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.lucene.internal.CacheReads;
import dev.embedstore.lucene.internal.CommitData;
import dev.embedstore.lucene.internal.Fields;
import dev.embedstore.lucene.internal.VectorFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.store.NoLockFactory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Checks a store folder: Lucene's {@link CheckIndex} on every segment (checksums and the integrity
 * of postings, stored fields, points and vectors), then the store's own rules: a known format
 * version and a well-formed model description in the last commit, vectors of the recorded
 * dimension, and every stored chunk's vector present in the cache, bit-identical to the one in the
 * HNSW index.
 *
 * <p>Also salvages the cached vectors of a damaged store: {@link #salvageVectors} copies the store,
 * drops the damaged segments from the copy and exports what is left, so recovering never needs the
 * model for the vectors of undamaged segments.
 *
 * <p><b>NOTE</b>: reads only; a check of a store that another process is writing to may report
 * files that a merge removed meanwhile, so check a closed store.
 */
public final class StoreCheck {
  /** Names of index files in an exception message: {@code _0.cfs}, {@code _3_Lucene99_0.vex}. */
  private static final Pattern FILE =
      Pattern.compile("(segments_[0-9a-z]+|_[0-9a-z]+(?:_[0-9A-Za-z]+)*\\.[a-z]+)");

  private static final int MAX_NAMED = 10;
  private static final int BATCH = 1024;

  private StoreCheck() {}

  /**
   * What a check found.
   *
   * @param store the store folder
   * @param problems one line per problem, each naming the file, segment or document at fault; empty
   *     when the store is sound
   * @param segments segments checked
   * @param documents documents in the store (0 when the index could not be read)
   * @param chunks stored chunks checked against the cache
   * @param cacheEntries cache entries of every model
   */
  public record Report(
      Path store,
      List<String> problems,
      int segments,
      long documents,
      long chunks,
      long cacheEntries) {
    /**
     * Whether nothing is wrong.
     *
     * @return true when no problem was found
     */
    public boolean sound() {
      return problems.isEmpty();
    }
  }

  /**
   * Checks a store.
   *
   * @param folder the store folder
   * @param slow also run Lucene's slow checks (every posting, every vector), not only checksums and
   *     structure
   * @return what was found
   * @throws IOException if the folder holds no Lucene index at all
   */
  public static Report check(Path folder, boolean slow) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new java.nio.file.NoSuchFileException(folder + " (no store there)");
    }
    List<String> problems = new ArrayList<>();
    try (Directory dir = FSDirectory.open(folder)) {
      if (!DirectoryReader.indexExists(dir)) {
        throw new IOException(folder + " is not a store (no Lucene index there)");
      }
      Map<String, String> ud;
      try {
        ud = SegmentInfos.readLatestCommit(dir).getUserData();
      } catch (IOException e) {
        problems.add("the last commit cannot be read: " + e.getMessage());
        return new Report(folder, problems, 0, 0, 0, 0);
      }
      checkUserData(ud, problems);
      int before = problems.size();
      int segments = checkIndex(dir, slow, problems);
      if (problems.size() > before) {
        return new Report(folder, List.copyOf(problems), segments, 0, 0, 0);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        long[] counts = checkChunks(reader, ud, problems);
        return new Report(folder, List.copyOf(problems), segments, counts[0], counts[1], counts[2]);
      }
    }
  }

  private static void checkUserData(Map<String, String> ud, List<String> problems) {
    String format = ud.get(CommitData.FORMAT_KEY);
    if (format == null) {
      problems.add("the last commit records no store format: not an Embedstore store");
      return;
    }
    try {
      int f = Integer.parseInt(format);
      if (f > CommitData.FORMAT || f < 1) {
        problems.add(
            "store format " + f + " is not one this version reads (1.." + CommitData.FORMAT + ")");
      }
    } catch (NumberFormatException e) {
      problems.add("the store format '" + format + "' is not a number");
    }
    String fp = ud.get(CommitData.FINGERPRINT);
    try {
      ModelFingerprint.ofHex(fp == null ? "" : fp);
    } catch (IllegalArgumentException e) {
      problems.add("the model fingerprint '" + fp + "' is not 64 hex digits");
    }
    if (ud.getOrDefault(CommitData.MODEL, "").isEmpty()) {
      problems.add("the last commit records no model name");
    }
    try {
      if (Integer.parseInt(ud.getOrDefault(CommitData.DIMENSION, "")) <= 0) {
        problems.add("the recorded dimension is not positive");
      }
    } catch (NumberFormatException e) {
      problems.add("the recorded dimension is not a number");
    }
    try {
      Quantization.valueOf(ud.getOrDefault(CommitData.QUANTIZATION, "NONE"));
    } catch (IllegalArgumentException e) {
      problems.add("unknown quantization '" + ud.get(CommitData.QUANTIZATION) + "' recorded");
    }
  }

  /** Runs CheckIndex; adds one problem per damaged segment, naming its files. */
  private static int checkIndex(Directory dir, boolean slow, List<String> problems)
      throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Lock lock = null;
    try {
      lock = dir.obtainLock(org.apache.lucene.index.IndexWriter.WRITE_LOCK_NAME);
    } catch (LockObtainFailedException e) {
      // Open for writing elsewhere: check anyway, without the lock (CheckIndex only reads here).
    }
    try (Lock held = lock;
        CheckIndex checker =
            new CheckIndex(
                dir,
                held != null
                    ? held
                    : NoLockFactory.INSTANCE.obtainLock(
                        dir, org.apache.lucene.index.IndexWriter.WRITE_LOCK_NAME))) {
      checker.setLevel(
          slow
              ? CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS
              : CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8), false);
      CheckIndex.Status status = checker.checkIndex();
      if (status.missingSegments) {
        problems.add(
            "the commit "
                + status.segmentsFileName
                + " cannot be read or names missing files: "
                + firstError(log));
      }
      for (CheckIndex.Status.SegmentInfoStatus seg : status.segmentInfos) {
        if (seg.error != null) {
          problems.add(
              "segment "
                  + seg.name
                  + " is damaged ("
                  + seg.maxDoc
                  + " entries and chunks): "
                  + describe(seg.error, dir, seg.name));
        }
      }
      if (!status.clean && problems.isEmpty()) {
        problems.add("Lucene's CheckIndex reports the index unclean: " + firstError(log));
      }
      return status.numSegments;
    }
  }

  private static String firstError(ByteArrayOutputStream log) {
    for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains("ERROR") || line.contains("FAILED") || line.contains("Exception")) {
        return line.trim();
      }
    }
    return "see Lucene's CheckIndex output";
  }

  /** The message of the deepest cause, with the index files it names. */
  private static String describe(Throwable error, Directory dir, String segment) {
    Set<String> files = new LinkedHashSet<>();
    String message = null;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
        Matcher m = FILE.matcher(t.getMessage());
        while (m.find()) {
          files.add(m.group(1));
        }
      }
      for (Throwable s : t.getSuppressed()) {
        if (s.getMessage() != null) {
          Matcher m = FILE.matcher(s.getMessage());
          while (m.find()) {
            files.add(m.group(1));
          }
        }
      }
    }
    if (files.isEmpty()) {
      try {
        for (String f : dir.listAll()) {
          if (f.startsWith(segment + ".") || f.startsWith(segment + "_")) {
            files.add(f);
          }
        }
      } catch (IOException e) {
        // Keep the message without file names.
      }
    }
    return "file " + String.join(", ", files) + ": " + message;
  }

  /** Checks each chunk against the cache; returns {documents, chunks, cache entries}. */
  private static long[] checkChunks(
      DirectoryReader reader, Map<String, String> ud, List<String> problems) throws IOException {
    int dimension;
    try {
      dimension = Integer.parseInt(ud.getOrDefault(CommitData.DIMENSION, ""));
    } catch (NumberFormatException e) {
      dimension = -1; // already reported; check the chunks against the cache anyway
    }
    long documents = 0;
    long chunks = 0;
    int named = 0;
    long unnamed = 0;
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      FieldInfo fi = r.getFieldInfos().fieldInfo(Fields.VECTOR);
      if (fi == null) {
        continue;
      }
      if (dimension > 0 && fi.getVectorDimension() != dimension) {
        problems.add(
            "segment "
                + segmentName(r)
                + " holds "
                + fi.getVectorDimension()
                + "-dimensional vectors; the store records "
                + dimension);
        continue;
      }
      FloatVectorValues values = r.getFloatVectorValues(Fields.VECTOR);
      KnnVectorValues.DocIndexIterator it = values.iterator();
      StoredFields stored = r.storedFields();
      Bits live = r.getLiveDocs();
      List<CacheKey> keys = new ArrayList<>(BATCH);
      List<float[]> indexed = new ArrayList<>(BATCH);
      List<String> ids = new ArrayList<>(BATCH);
      for (int d = it.nextDoc(); ; d = it.nextDoc()) {
        boolean end = d == DocIdSetIterator.NO_MORE_DOCS;
        if (!end && (live == null || live.get(d))) {
          org.apache.lucene.document.Document doc =
              stored.document(d, Set.of(Fields.ID, Fields.VKEY, Fields.ORDINAL));
          BytesRef key = doc.getBinaryValue(Fields.VKEY);
          if (doc.getField(Fields.ORDINAL).numericValue().intValue() == 0) {
            documents++;
          }
          keys.add(CacheKey.ofBytes(key.bytes, key.offset));
          indexed.add(values.vectorValue(it.index()).clone());
          ids.add(doc.get(Fields.ID) + "#" + doc.get(Fields.ORDINAL));
        }
        if (keys.size() == BATCH || (end && !keys.isEmpty())) {
          float[][] cached = CacheReads.lookup(reader, keys);
          for (int i = 0; i < keys.size(); i++) {
            String wrong = null;
            if (cached[i] == null) {
              wrong = "has no cache entry (key " + keys.get(i).hex() + ")";
            } else if (!java.util.Arrays.equals(
                dev.embedstore.store.spi.Vectors.unitLength(cached[i]), indexed.get(i))) {
              wrong = "has an indexed vector that differs from its cache entry";
            }
            if (wrong != null) {
              if (named++ < MAX_NAMED) {
                problems.add("chunk " + ids.get(i) + " " + wrong);
              } else {
                unnamed++;
              }
            }
          }
          chunks += keys.size();
          keys.clear();
          indexed.clear();
          ids.clear();
        }
        if (end) {
          break;
        }
      }
    }
    if (unnamed > 0) {
      problems.add("... and " + unnamed + " more chunks like those");
    }
    long entries =
        new org.apache.lucene.search.IndexSearcher(reader)
            .count(
                new org.apache.lucene.search.TermQuery(
                    new org.apache.lucene.index.Term(Fields.KIND, Fields.ENTRY)));
    return new long[] {documents, chunks, entries};
  }

  private static String segmentName(LeafReader r) {
    return r instanceof org.apache.lucene.index.SegmentReader s
        ? s.getSegmentName()
        : String.valueOf(r);
  }

  /**
   * What {@link #salvageVectors} recovered.
   *
   * @param exported vectors written
   * @param droppedSegments the damaged segments left out
   * @param lostEntriesAndChunks Lucene documents (cache entries and chunks) in those segments
   */
  public record Salvage(long exported, List<String> droppedSegments, long lostEntriesAndChunks) {}

  /**
   * Exports one model's cached vectors from a store that may be damaged: the store's files are
   * copied to a scratch folder, Lucene drops the damaged segments from the copy (the store itself
   * is not touched), and the vectors of the rest are written as by {@link
   * LuceneEmbeddingCache#exportVectors}.
   *
   * @param folder the store
   * @param fingerprint the model whose vectors to export, or null for the store's model
   * @param npy the {@code .npy} file to write; the keys file goes beside it
   * @return what was recovered
   * @throws IOException if the last commit itself cannot be read, or a file cannot be written
   */
  public static Salvage salvageVectors(Path folder, ModelFingerprint fingerprint, Path npy)
      throws IOException {
    Path scratch = Files.createTempDirectory("embedstore-salvage");
    try {
      try (Directory from = FSDirectory.open(folder);
          Directory to = FSDirectory.open(scratch)) {
        SegmentInfos infos = SegmentInfos.readLatestCommit(from);
        Set<String> files = new LinkedHashSet<>(infos.files(true));
        for (String f : files) {
          to.copyFrom(from, f, f, IOContext.DEFAULT);
        }
        ModelFingerprint fp =
            fingerprint != null
                ? fingerprint
                : ModelFingerprint.ofHex(infos.getUserData().get(CommitData.FINGERPRINT));
        List<String> dropped = new ArrayList<>();
        long lost = 0;
        try (CheckIndex checker = new CheckIndex(to)) {
          checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
          checker.setInfoStream(null);
          CheckIndex.Status status = checker.checkIndex();
          if (!status.clean) {
            for (CheckIndex.Status.SegmentInfoStatus seg : status.segmentInfos) {
              if (seg.error != null) {
                dropped.add(seg.name);
              }
            }
            lost = status.totLoseDocCount;
            checker.exorciseIndex(status);
          }
        }
        try (DirectoryReader reader = DirectoryReader.open(to)) {
          long n = VectorFiles.export(reader, fp, npy, VectorFiles.keysFileOf(npy));
          return new Salvage(n, List.copyOf(dropped), lost);
        }
      }
    } finally {
      deleteTree(scratch);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (var files = Files.list(p)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(p);
  }
}
