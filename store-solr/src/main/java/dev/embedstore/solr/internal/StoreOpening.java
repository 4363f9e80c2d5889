package dev.embedstore.solr.internal;

import dev.embedstore.embed.Embedder;
import dev.embedstore.solr.SolrStoreConfig;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.spi.LibraryVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * What opening a Solr store does before the store exists: create the collection (configset, shards,
 * replicas) and record the model, or check an existing collection's record (format, model) and
 * schema, refusing a mismatch with a {@link StoreMismatchException} that names the collection and
 * the difference. Nothing is written to a collection that is refused.
 *
 * <p>Static; thread-safe.
 */
public final class StoreOpening {
  private StoreOpening() {}

  /**
   * Creates the collection when it does not exist, else checks it; returns the store's record.
   *
   * @param cluster the collection
   * @param config the settings of a new collection
   * @param model the store's model
   * @param format the store format this version writes
   * @return the record, written when new
   * @throws IOException if the cluster fails or the collection was written by a newer version
   * @throws StoreMismatchException if the collection holds another model or another layout
   */
  public static StoreRecord prepare(
      Cluster cluster, SolrStoreConfig config, Embedder model, int format) throws IOException {
    StoreRecord mine =
        new StoreRecord(
            format,
            model.modelName(),
            model.fingerprint().hex(),
            model.dimension(),
            Map.of(),
            LibraryVersion.get());
    if (!cluster.collections().contains(cluster.collection())) {
      CollectionSetup.create(cluster, config, model.dimension());
      return record(cluster, mine);
    }
    Optional<StoreRecord> held = StoreRecord.read(cluster);
    if (held.isPresent()) {
      StoreRecord r = held.get();
      if (r.format() > format) {
        throw new IOException(
            cluster.name()
                + " was written in store format "
                + r.format()
                + " (Embedstore "
                + r.libraryVersion()
                + "); this version reads format "
                + format
                + ": upgrade Embedstore");
      }
      if (!r.fingerprint().equals(mine.fingerprint())) {
        throw new StoreMismatchException(
            cluster.name()
                + " holds vectors of model "
                + r.modelName()
                + " (dimension "
                + r.dimension()
                + ", fingerprint "
                + r.fingerprint().substring(0, 12)
                + "), but it was opened with model "
                + model.modelName()
                + " (dimension "
                + model.dimension()
                + ", fingerprint "
                + mine.fingerprint().substring(0, 12)
                + "): open it with "
                + r.modelName()
                + ", or use another collection for "
                + model.modelName());
      }
      checkSchema(cluster, model, false);
      return r;
    }
    // No record: a collection made for a cache alone, an empty one, or not Embedstore's at all.
    CollectionSetup.Schema schema = checkSchema(cluster, model, true);
    if (chunks(cluster) > 0) {
      throw new StoreMismatchException(
          cluster.name()
              + " holds documents but no store record ("
              + Fields.META_ID
              + "): it was not written by Embedstore, or its record was deleted; use another"
              + " collection");
    }
    if (schema.vectorDimension() == 0) {
      CollectionSetup.addVectorField(cluster, config, model.dimension());
      checkSchema(cluster, model, false);
    }
    return record(cluster, mine);
  }

  private static StoreRecord record(Cluster cluster, StoreRecord r) throws IOException {
    UpdateRequest u = new UpdateRequest();
    u.add(r.toDocument());
    cluster.update("recording the store's model", u);
    cluster.commit();
    return r;
  }

  private static CollectionSetup.Schema checkSchema(
      Cluster cluster, Embedder model, boolean vectorMayBeMissing) throws IOException {
    CollectionSetup.Schema s = CollectionSetup.check(cluster);
    List<String> problems = new ArrayList<>(s.problems());
    if (s.vectorDimension() == 0 && !vectorMayBeMissing) {
      problems.add("field " + Fields.VECTOR + " is missing");
    } else if (s.vectorDimension() != 0 && s.vectorDimension() != model.dimension()) {
      problems.add(
          "field "
              + Fields.VECTOR
              + " has dimension "
              + s.vectorDimension()
              + ", but model "
              + model.modelName()
              + " makes vectors of dimension "
              + model.dimension());
    }
    if (!problems.isEmpty()) {
      throw new StoreMismatchException(
          cluster.name()
              + " does not have the schema the store needs: "
              + String.join("; ", problems)
              + "; use another collection, or one this version of Embedstore created");
    }
    return s;
  }

  private static long chunks(Cluster cluster) throws IOException {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", FilterQueries.ALL);
    p.add("fq", Fields.KIND + ":" + Fields.KIND_CHUNK);
    p.set("rows", 0);
    return cluster.query("counting chunks", p).getResults().getNumFound();
  }
}
