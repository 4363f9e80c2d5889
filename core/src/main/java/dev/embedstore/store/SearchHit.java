package dev.embedstore.store;

import java.util.Map;

/**
 * One document found by a search: its best-scoring chunk.
 *
 * @param id the document's id
 * @param score the score (higher is better; cosine similarity in vector modes, BM25 in keyword
 *     mode, fused rank score in hybrid mode)
 * @param chunk the ordinal of the best chunk (0 when the document is one chunk)
 * @param text the best chunk's text
 * @param title the document's title, or null
 * @param metadata the document's metadata
 */
public record SearchHit(
    String id, float score, int chunk, String text, String title, Map<String, Object> metadata) {}
