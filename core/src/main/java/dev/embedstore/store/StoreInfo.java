package dev.embedstore.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a store is and holds, the same for every backend.
 *
 * @param backend the backend's short name: {@code lucene}, {@code solr}
 * @param location where the store lives: a folder, or a cluster's collection
 * @param format the store format version
 * @param modelName the name of the model the store's vectors came from
 * @param fingerprint that model's fingerprint, 64 hex digits
 * @param dimension the vectors' dimension
 * @param documents documents stored
 * @param chunks chunks stored (one vector each)
 * @param cacheEntries cached vectors, of every model
 * @param bytes the store's size on disk
 * @param metadataTypes each metadata field's type ({@code long}, {@code double}, {@code bool} or
 *     {@code string}), by field name, sorted
 * @param details backend-specific facts (for Lucene: {@code quantization}, {@code hnsw_m}, {@code
 *     beam_width}, {@code lucene_version}), by name, sorted; values are strings, longs or booleans
 */
public record StoreInfo(
    String backend,
    String location,
    int format,
    String modelName,
    String fingerprint,
    int dimension,
    long documents,
    long chunks,
    long cacheEntries,
    long bytes,
    SortedMap<String, String> metadataTypes,
    SortedMap<String, Object> details) {
  /** Checks the arguments and makes the maps unmodifiable sorted copies. */
  public StoreInfo {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(fingerprint, "fingerprint");
    metadataTypes = sortedCopy(metadataTypes);
    details = sortedCopy(details);
  }

  /**
   * This description as the fields of {@code embedstore stats --json} and of the service's {@code
   * GET /api/stats}, in their order: documents, chunks, cache_entries, model, fingerprint,
   * dimension, store_bytes, format, backend, the backend's details, metadata_fields.
   *
   * @return a new map in that order
   */
  public Map<String, Object> fields() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("documents", documents);
    out.put("chunks", chunks);
    out.put("cache_entries", cacheEntries);
    out.put("model", modelName);
    out.put("fingerprint", fingerprint);
    out.put("dimension", (long) dimension);
    out.put("store_bytes", bytes);
    out.put("format", (long) format);
    out.put("backend", backend);
    out.putAll(details);
    out.put("metadata_fields", metadataTypes);
    return out;
  }

  private static <V> SortedMap<String, V> sortedCopy(Map<String, V> m) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(m == null ? Map.of() : m));
  }
}
