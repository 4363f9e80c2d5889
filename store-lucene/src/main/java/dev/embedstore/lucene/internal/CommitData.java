package dev.embedstore.lucene.internal;

import dev.embedstore.embed.Embedder;
import dev.embedstore.lucene.Quantization;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.spi.LibraryVersion;
import dev.embedstore.store.spi.MetadataTypes;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;

/**
 * What a store records in each commit's user data, read and written here only:
 *
 * <ul>
 *   <li>{@code embedstore.format}: the store format version ({@link #FORMAT});
 *   <li>{@code embedstore.fingerprint}, {@code embedstore.model}, {@code embedstore.dimension}: the
 *       model the vectors came from;
 *   <li>{@code embedstore.similarity}: {@code DOT_PRODUCT} (vectors are unit length);
 *   <li>{@code embedstore.hnsw.m}, {@code embedstore.hnsw.beam_width}, {@code
 *       embedstore.quantization}: the vector-index settings;
 *   <li>{@code embedstore.schema}: the metadata field types ({@link MetadataTypes#encode});
 *   <li>{@code embedstore.library_version}: the Embedstore version that wrote the commit.
 * </ul>
 *
 * Static; thread-safe.
 */
public final class CommitData {
  /** The store format this version writes and the newest it reads. */
  public static final int FORMAT = 1;

  public static final String FORMAT_KEY = "embedstore.format";
  public static final String FINGERPRINT = "embedstore.fingerprint";
  public static final String MODEL = "embedstore.model";
  public static final String DIMENSION = "embedstore.dimension";
  public static final String SIMILARITY = "embedstore.similarity";
  public static final String HNSW_M = "embedstore.hnsw.m";
  public static final String BEAM_WIDTH = "embedstore.hnsw.beam_width";
  public static final String QUANTIZATION = "embedstore.quantization";
  public static final String SCHEMA = "embedstore.schema";
  public static final String LIBRARY = "embedstore.library_version";

  private CommitData() {}

  /**
   * The last commit's user data, checked to be a store this version reads.
   *
   * @param dir the directory
   * @param name the store, for messages
   * @return the user data; empty when there is no index yet
   * @throws IOException if there is an index that is not a store, or of a newer format
   */
  public static Map<String, String> read(Directory dir, String name) throws IOException {
    if (!DirectoryReader.indexExists(dir)) {
      return Map.of();
    }
    Map<String, String> ud = SegmentInfos.readLatestCommit(dir).getUserData();
    if (!ud.containsKey(FORMAT_KEY)) {
      throw new IOException(
          name
              + " holds a Lucene index that is not an Embedstore store (no store format recorded)");
    }
    int format = Integer.parseInt(ud.get(FORMAT_KEY));
    if (format > FORMAT) {
      throw new IOException(
          "store "
              + name
              + " has format "
              + format
              + ", newer than this version reads ("
              + FORMAT
              + "); upgrade Embedstore");
    }
    return ud;
  }

  /**
   * Refuses a model whose fingerprint is not the store's.
   *
   * @param ud the store's user data
   * @param model the model it is opened with
   * @param name the store, for messages
   * @throws StoreMismatchException naming both models
   */
  public static void checkModel(Map<String, String> ud, Embedder model, String name) {
    String fp = ud.get(FINGERPRINT);
    if (!model.fingerprint().hex().equals(fp)) {
      throw new StoreMismatchException(
          "store "
              + name
              + " was built with model "
              + ud.get(MODEL)
              + " (fingerprint "
              + fp.substring(0, Math.min(12, fp.length()))
              + "), not "
              + model.modelName()
              + " (fingerprint "
              + model.fingerprint().shortId()
              + "); open it with model "
              + ud.get(MODEL)
              + ", or migrate it to the new model");
    }
  }

  /**
   * The vector-index settings recorded in user data (Lucene's defaults where absent).
   *
   * @param ud the user data
   * @return the settings, with the default commit interval
   */
  public static StoreConfig config(Map<String, String> ud) {
    return new StoreConfig(
        Integer.parseInt(ud.getOrDefault(HNSW_M, "16")),
        Integer.parseInt(ud.getOrDefault(BEAM_WIDTH, "100")),
        Quantization.valueOf(ud.getOrDefault(QUANTIZATION, "NONE")),
        StoreConfig.DEFAULT.commitInterval());
  }

  /**
   * The metadata types recorded in user data.
   *
   * @param ud the user data
   * @return the types by field
   */
  public static Map<String, String> schema(Map<String, String> ud) {
    return MetadataTypes.decode(ud.getOrDefault(SCHEMA, ""));
  }

  /**
   * The user data of a commit.
   *
   * @param model the store's model
   * @param config its settings
   * @param types its metadata types
   * @return the user data, sorted
   */
  public static Map<String, String> of(
      Embedder model, StoreConfig config, Map<String, String> types) {
    Map<String, String> ud = new TreeMap<>();
    ud.put(FORMAT_KEY, Integer.toString(FORMAT));
    ud.put(FINGERPRINT, model.fingerprint().hex());
    ud.put(MODEL, model.modelName());
    ud.put(DIMENSION, Integer.toString(model.dimension()));
    ud.put(SIMILARITY, "DOT_PRODUCT");
    ud.put(HNSW_M, Integer.toString(config.hnswM()));
    ud.put(BEAM_WIDTH, Integer.toString(config.beamWidth()));
    ud.put(QUANTIZATION, config.quantization().name());
    ud.put(SCHEMA, MetadataTypes.encode(types));
    ud.put(LIBRARY, LibraryVersion.get());
    return ud;
  }
}
