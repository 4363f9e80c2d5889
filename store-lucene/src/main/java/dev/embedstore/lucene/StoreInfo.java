package dev.embedstore.lucene;

import java.util.SortedMap;

/**
 * What a store is, read from its last commit without loading a model.
 *
 * @param format the store format version
 * @param modelName the model's name
 * @param fingerprint the model fingerprint, hex
 * @param dimension the vector dimension
 * @param config the vector-index settings
 * @param documents documents stored
 * @param chunks chunks stored (one vector each)
 * @param cacheEntries cache entries of every model
 * @param bytes the index's size on disk
 * @param luceneVersion the Lucene version that wrote the oldest segment
 * @param metadataTypes each metadata field's type ({@code long}, {@code double}, {@code bool} or
 *     {@code string}), by field name, sorted
 */
public record StoreInfo(
    int format,
    String modelName,
    String fingerprint,
    int dimension,
    StoreConfig config,
    long documents,
    long chunks,
    long cacheEntries,
    long bytes,
    String luceneVersion,
    SortedMap<String, String> metadataTypes) {}
