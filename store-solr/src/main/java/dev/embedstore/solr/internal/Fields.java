package dev.embedstore.solr.internal;

import dev.embedstore.store.spi.MetadataTypes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names of an Embedstore collection's fields and ids (the layout is described in the
 * configset's {@code managed-schema.xml}). Static; thread-safe.
 */
public final class Fields {
  /** The unique key. */
  public static final String ID = "id";

  /** What a document is: {@link #KIND_ENTRY}, {@link #KIND_CHUNK} or {@link #KIND_META}. */
  public static final String KIND = "kind";

  /** A cache entry. */
  public static final String KIND_ENTRY = "e";

  /** A chunk of a stored document. */
  public static final String KIND_CHUNK = "c";

  /** The store's record. */
  public static final String KIND_META = "m";

  /** An entry's model fingerprint, hex. */
  public static final String FINGERPRINT = "fp";

  /** An entry's role: {@code D} or {@code Q}. */
  public static final String ROLE = "role";

  /** An entry's dimension. */
  public static final String DIMENSION = "dim";

  /** An entry's vector, float32 little-endian. */
  public static final String VECTOR_BYTES = "vec";

  /** A chunk's document key: the hash of its document's id. */
  public static final String DOC_KEY = "dk";

  /** A chunk's ordinal in its document. */
  public static final String ORDINAL = "ord";

  /** The cache key of a chunk's vector, hex. */
  public static final String VECTOR_KEY = "vkey";

  /** A chunk's text, for BM25. */
  public static final String TEXT = "text";

  /** A document's title, for BM25, on every chunk. */
  public static final String TITLE = "title";

  /** A chunk's exact text and its document's id, title and metadata ({@link ChunkBody}). */
  public static final String BODY = "body";

  /** The document id on chunk 0 ({@link Binary#encode(String)}). */
  public static final String DOCUMENT_ID = "did";

  /** The document's digest, on chunk 0. */
  public static final String DIGEST = "digest";

  /** The document's number of chunks, on chunk 0. */
  public static final String CHUNKS = "nchunks";

  /** The document's whole text on chunk 0 when it has several chunks. */
  public static final String SOURCE = "src";

  /** The HNSW vector field (unit-length vectors, dot product). */
  public static final String VECTOR = "vector";

  /** The field type of {@link #VECTOR}. */
  public static final String VECTOR_TYPE = "knn_vector";

  /** The store's record, on the {@link #META_ID} document. */
  public static final String META = "meta";

  /** The id of the store's record. */
  public static final String META_ID = "embedstore.meta";

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] DOC_KEY_TAG = Binary.encode("embedstore-document-id/1\n");

  private Fields() {}

  /**
   * The document key of an id: 64 hex digits of SHA-256 over the id's exact encoding. Chunks are
   * found, routed and folded by it, so ids of any length or content never meet Solr's id syntax.
   *
   * @param id the document id
   * @return the key
   */
  public static String docKey(String id) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(DOC_KEY_TAG);
      md.update(Binary.encode(id));
      return HEX.formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /**
   * The Solr id of a chunk: {@code docKey!ordinal}. The compositeId router hashes the part before
   * {@code !}, so all chunks of a document are on one shard (collapsing them needs that).
   *
   * @param docKey the document key
   * @param ordinal the chunk's ordinal
   * @return the id
   */
  public static String chunkId(String docKey, int ordinal) {
    return docKey + "!" + ordinal;
  }

  /**
   * The Solr field that holds a metadata field of a type: a prefix by type ({@code ms_}, {@code
   * ml_}, {@code md_}, {@code mb_}) and the name with every character but ASCII letters and digits
   * written as {@code _} and four hex digits, so any name is a plain Solr field name and two names
   * never share one.
   *
   * @param type the metadata type ({@link MetadataTypes})
   * @param name the metadata field's name
   * @return the Solr field name
   */
  public static String metadataField(String type, String name) {
    String prefix =
        switch (type) {
          case MetadataTypes.LONG -> "ml_";
          case MetadataTypes.DOUBLE -> "md_";
          case MetadataTypes.BOOL -> "mb_";
          case MetadataTypes.STRING -> "ms_";
          default -> throw new IllegalArgumentException("unknown metadata type " + type);
        };
    StringBuilder b = new StringBuilder(prefix.length() + name.length());
    b.append(prefix);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        b.append(c);
      } else {
        b.append('_').append(HEX.toHexDigits(c));
      }
    }
    return b.toString();
  }
}
