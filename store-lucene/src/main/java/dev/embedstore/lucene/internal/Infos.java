package dev.embedstore.lucene.internal;

import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.store.StoreInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

/**
 * What a Lucene store is and holds, as a backend-neutral {@link StoreInfo}: from a live store or
 * read from a folder's last commit without a model or the write lock. Static; thread-safe.
 */
public final class Infos {
  /** The backend name in {@link StoreInfo#backend()}. */
  public static final String BACKEND = "lucene";

  private Infos() {}

  /**
   * Reads a store folder's description as of its last commit.
   *
   * @param folder the folder
   * @return the description
   * @throws IOException if it is not a store or cannot be read
   */
  public static StoreInfo read(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder + " (no store there)");
    }
    try (Directory dir = FSDirectory.open(folder)) {
      Map<String, String> ud = CommitData.read(dir, folder.toString());
      if (ud.isEmpty()) {
        throw new IOException(folder + " is not a store (no Lucene index there)");
      }
      SegmentInfos infos = SegmentInfos.readLatestCommit(dir);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        return of(
            folder.toString(),
            ud,
            CommitData.config(ud),
            CommitData.schema(ud),
            reader,
            sizeOnDisk(dir),
            infos.getMinSegmentLuceneVersion());
      }
    }
  }

  /**
   * A description from its parts.
   *
   * @param location the folder
   * @param ud the commit user data (model, format)
   * @param config the vector-index settings
   * @param types the metadata types
   * @param reader a reader of the store
   * @param bytes the size on disk
   * @param oldest the Lucene version of the oldest segment, or null when there is none
   * @return the description
   * @throws IOException if the index cannot be read
   */
  public static StoreInfo of(
      String location,
      Map<String, String> ud,
      StoreConfig config,
      Map<String, String> types,
      IndexReader reader,
      long bytes,
      Version oldest)
      throws IOException {
    IndexSearcher s = new IndexSearcher(reader);
    SortedMap<String, Object> details = new TreeMap<>();
    details.put("quantization", config.quantization().name().toLowerCase(Locale.ROOT));
    details.put("hnsw_m", (long) config.hnswM());
    details.put("beam_width", (long) config.beamWidth());
    details.put("lucene_version", (oldest == null ? Version.LATEST : oldest).toString());
    details.put("library_version", ud.getOrDefault(CommitData.LIBRARY, ""));
    return new StoreInfo(
        BACKEND,
        location,
        Integer.parseInt(ud.get(CommitData.FORMAT_KEY)),
        ud.get(CommitData.MODEL),
        ud.get(CommitData.FINGERPRINT),
        Integer.parseInt(ud.get(CommitData.DIMENSION)),
        s.count(LuceneStoreWriter.HEADS),
        s.count(new TermQuery(new Term(Fields.KIND, Fields.CHUNK))),
        s.count(new TermQuery(new Term(Fields.KIND, Fields.ENTRY))),
        bytes,
        new TreeMap<>(types),
        details);
  }

  /**
   * The bytes of a directory's files.
   *
   * @param dir the directory
   * @return the sum of their lengths
   * @throws IOException if the directory cannot be listed
   */
  public static long sizeOnDisk(Directory dir) throws IOException {
    long bytes = 0;
    for (String file : dir.listAll()) {
      try {
        bytes += dir.fileLength(file);
      } catch (IOException e) {
        // A file may vanish between listing and measuring (a concurrent merge); skip it.
      }
    }
    return bytes;
  }
}
