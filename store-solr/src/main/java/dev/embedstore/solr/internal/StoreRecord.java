package dev.embedstore.solr.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrInputDocument;

/**
 * The store's record in its collection, the counterpart of the Lucene store's commit data: one
 * document ({@link Fields#META_ID}) whose {@link Fields#META} field holds
 *
 * <pre>
 *   u8 1 (version) ‖ varint format ‖ str model name ‖ str fingerprint hex ‖ varint dimension
 *   ‖ str similarity ‖ varint n ‖ n × (str field ‖ str type) ‖ str library version
 * </pre>
 *
 * <p>It is written when the store creates the collection, and again with the metadata types each
 * time a write brings a new field; real-time get reads it, committed or not.
 *
 * <p>Immutable; thread-safe.
 *
 * @param format the store format ({@link CollectionSetup#FORMAT})
 * @param modelName the model's name
 * @param fingerprint the model's fingerprint, hex
 * @param dimension the vectors' dimension
 * @param metadataTypes the metadata field types
 * @param libraryVersion the Embedstore version that last wrote the record
 */
public record StoreRecord(
    int format,
    String modelName,
    String fingerprint,
    int dimension,
    Map<String, String> metadataTypes,
    String libraryVersion) {
  private static final int VERSION = 1;
  private static final String SIMILARITY = "dot_product";

  /** Checks and copies the arguments. */
  public StoreRecord {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(fingerprint, "fingerprint");
    metadataTypes = Map.copyOf(metadataTypes);
    Objects.requireNonNull(libraryVersion, "libraryVersion");
  }

  /**
   * This record with more metadata types.
   *
   * @param more types to add
   * @return a new record
   */
  public StoreRecord withTypes(Map<String, String> more) {
    Map<String, String> all = new TreeMap<>(metadataTypes);
    all.putAll(more);
    return new StoreRecord(format, modelName, fingerprint, dimension, all, libraryVersion);
  }

  /**
   * The record as a Solr document.
   *
   * @return the document
   */
  public SolrInputDocument toDocument() {
    Binary.Writer w = new Binary.Writer(256);
    w.u8(VERSION).varint(format).str(modelName).str(fingerprint).varint(dimension).str(SIMILARITY);
    Map<String, String> sorted = new TreeMap<>(metadataTypes);
    w.varint(sorted.size());
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      w.str(e.getKey()).str(e.getValue());
    }
    w.str(libraryVersion);
    SolrInputDocument d = new SolrInputDocument();
    d.setField(Fields.ID, Fields.META_ID);
    d.setField(Fields.KIND, Fields.KIND_META);
    d.setField(Fields.META, w.toBytes());
    return d;
  }

  /**
   * Reads the record, committed or not.
   *
   * @param cluster the collection
   * @return the record, or empty when the collection has none
   * @throws IOException if it cannot be read or is damaged
   */
  public static Optional<StoreRecord> read(Cluster cluster) throws IOException {
    SolrDocumentList docs =
        cluster.get("reading the store's record", List.of(Fields.META_ID), Fields.META);
    if (docs.isEmpty()) {
      return Optional.empty();
    }
    SolrDocument d = docs.get(0);
    Object bytes = d.getFirstValue(Fields.META);
    if (!(bytes instanceof byte[] b)) {
      throw new IOException(
          cluster.name() + ": the store's record " + Fields.META_ID + " has no " + Fields.META);
    }
    try {
      Binary.Reader r = new Binary.Reader(b);
      int version = r.u8();
      if (version != VERSION) {
        throw new IOException("record version " + version + "; this version reads " + VERSION);
      }
      int format = (int) r.varint();
      String model = r.str();
      String fingerprint = r.str();
      int dimension = (int) r.varint();
      String similarity = r.str();
      if (!SIMILARITY.equals(similarity)) {
        throw new IOException("the store compares vectors by " + similarity);
      }
      long n = r.varint();
      Map<String, String> types = new TreeMap<>();
      for (long i = 0; i < n; i++) {
        types.put(r.str(), r.str());
      }
      String library = r.str();
      return Optional.of(new StoreRecord(format, model, fingerprint, dimension, types, library));
    } catch (IOException e) {
      throw new IOException(
          cluster.name() + ": the store's record is damaged: " + e.getMessage(), e);
    }
  }
}
