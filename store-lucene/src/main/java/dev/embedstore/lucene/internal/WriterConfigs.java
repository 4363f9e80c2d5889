package dev.embedstore.lucene.internal;

import dev.embedstore.lucene.StoreConfig;
import java.io.IOException;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * The one place an {@link IndexWriter} of a store or cache is configured: the store's codec (so a
 * merge never rewrites vectors in another format), the analyzer, the RAM buffer, the quiet merge
 * scheduler and the lock error that names the store. Static; thread-safe.
 */
public final class WriterConfigs {
  /** Documents buffered before Lucene flushes a segment, in MB. */
  private static final double RAM_BUFFER_MB = 64;

  private WriterConfigs() {}

  /**
   * A writer configuration for a store with these settings.
   *
   * @param config the vector-index settings
   * @return the configuration and the codec, whose vector format a rebuild may switch
   */
  public static Configured of(StoreConfig config) {
    StoreCodec codec = new StoreCodec(format(config));
    IndexWriterConfig iwc = new IndexWriterConfig(new StandardAnalyzer());
    iwc.setCodec(codec);
    iwc.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    iwc.setRAMBufferSizeMB(RAM_BUFFER_MB);
    iwc.setMergeScheduler(new QuietMergeScheduler());
    return new Configured(iwc, codec);
  }

  /**
   * A writer configuration for whatever a directory holds: a store (its recorded settings) or a
   * standalone cache (the defaults: a cache has no vector field, and the codec is the same).
   *
   * @param committed the directory's last commit user data, empty when none
   * @return the configuration
   */
  public static Configured forExisting(Map<String, String> committed) {
    return of(committed.isEmpty() ? StoreConfig.DEFAULT : CommitData.config(committed));
  }

  /**
   * A writer configuration and its codec.
   *
   * @param config the writer configuration
   * @param codec its codec
   */
  public record Configured(IndexWriterConfig config, StoreCodec codec) {}

  /**
   * Opens a writer, turning a held lock into an error that names the store.
   *
   * @param dir the directory
   * @param iwc the configuration
   * @param name the store, for messages
   * @return the writer
   * @throws IOException if it cannot be opened
   */
  public static IndexWriter open(Directory dir, IndexWriterConfig iwc, String name)
      throws IOException {
    try {
      return new IndexWriter(dir, iwc);
    } catch (LockObtainFailedException e) {
      throw new LockObtainFailedException(
          "store "
              + name
              + " is already open for writing (its write.lock is held by this or another"
              + " process); close the other writer first",
          e);
    }
  }

  /**
   * The HNSW vector format of a store's settings.
   *
   * @param c the settings
   * @return the format
   */
  public static KnnVectorsFormat format(StoreConfig c) {
    return switch (c.quantization()) {
      case NONE -> new Lucene99HnswVectorsFormat(c.hnswM(), c.beamWidth());
      case INT8 ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.UNSIGNED_BYTE, c.hnswM(), c.beamWidth());
      case INT4 ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.PACKED_NIBBLE, c.hnswM(), c.beamWidth());
      case BINARY ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, c.hnswM(), c.beamWidth());
    };
  }

  /**
   * The current codec with a store's vector format. The format can change (a rebuild); segments
   * record their format by name, so older segments stay readable.
   */
  public static final class StoreCodec extends Lucene104Codec {
    private volatile KnnVectorsFormat vectors;

    StoreCodec(KnnVectorsFormat vectors) {
      this.vectors = vectors;
    }

    /**
     * Switches the vector format of segments written from now on.
     *
     * @param format the new format
     */
    public void setVectorsFormat(KnnVectorsFormat format) {
      this.vectors = format;
    }

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
      return vectors;
    }
  }

  /**
   * Background merges whose failure is not printed by the merge thread: Lucene records it as the
   * writer's tragic exception, and the store's next write reports it, naming the store.
   */
  private static final class QuietMergeScheduler extends ConcurrentMergeScheduler {
    @Override
    protected void handleMergeException(Throwable exc) {
      // Recorded by IndexWriter.tragicEvent; reported by the next write.
    }
  }
}
