package dev.embedstore.lucene.internal;

/**
 * The field names of the on-disk layout (see docs/architecture.md). Two kinds of Lucene documents
 * share one index: cache entries and stored chunks, told apart by {@link #KIND}.
 */
public final class Fields {
  private Fields() {}

  /** {@link #ENTRY} or {@link #CHUNK}; indexed. */
  public static final String KIND = "kind";

  public static final String ENTRY = "entry";
  public static final String CHUNK = "chunk";

  // Cache entries.
  /** The 32-byte cache key; indexed for exact lookup. */
  public static final String KEY = "key";

  /** The model fingerprint, hex; indexed. */
  public static final String FP = "fp";

  /** The role code, D or Q; indexed and stored. */
  public static final String ROLE = "role";

  /** The vector: float32 little-endian, stored only. */
  public static final String VEC = "vec";

  // Chunks of documents.
  /** The document id; indexed and stored. */
  public static final String ID = "id";

  /**
   * The document id again, as sorted doc values, so that hits fold to documents without
   * stored-field reads. A field of its own: stores written before it have {@link #ID} without doc
   * values, and Lucene does not let a field gain doc values.
   */
  public static final String ID_VALUES = "id.dv";

  /** The chunk's ordinal in its document; stored. */
  public static final String ORDINAL = "ord";

  /** How many chunks the document has; stored. */
  public static final String CHUNKS = "nchunks";

  /** The chunk's text; BM25-indexed and stored. */
  public static final String TEXT = "text";

  /** The document's title; BM25-indexed and stored. */
  public static final String TITLE = "title";

  /** The cache key of the chunk's vector, hex; indexed (garbage collection) and stored. */
  public static final String VKEY = "vkey";

  /** A digest of the document's content and chunking, hex; stored, decides "unchanged". */
  public static final String HASH = "hash";

  /**
   * The digest again, as binary doc values, so that an unchanged re-index compares digests without
   * decompressing stored-field blocks (61 % of an unchanged re-index of 1M documents did). Absent
   * from segments written before it, which fall back to {@link #HASH}.
   */
  public static final String HASH_VALUES = "hash.dv";

  /** "1" on a document's first chunk; indexed. Counting documents counts these. */
  public static final String HEAD = "head";

  /** The document's whole text, stored on chunk 0 of a document with several chunks. */
  public static final String SOURCE = "source";

  /** The HNSW vector field. */
  public static final String VECTOR = "vector";

  /** Metadata fields are {@code META_PREFIX + name}. */
  public static final String META_PREFIX = "m.";

  /** Stored list of the metadata fields of the document that are booleans. */
  public static final String META_BOOLEANS = "mbool";

  /** Stored list of the metadata fields of the document that are lists. */
  public static final String META_LISTS = "mlist";
}
