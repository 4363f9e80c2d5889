package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * The on-disk form of a cache entry, written and read here only. One Lucene document per entry:
 *
 * <ul>
 *   <li>{@code kind} = {@code entry} (indexed, not stored);
 *   <li>{@code key}: the 32-byte cache key (indexed for exact lookup, stored);
 *   <li>{@code fp}: the model fingerprint as 64 hex digits (indexed, stored);
 *   <li>{@code role}: {@code D} or {@code Q} (indexed, stored);
 *   <li>{@code vec}: the vector, float32 little-endian, {@code dimension × 4} bytes (stored only).
 * </ul>
 *
 * Stored fields are the most stable part of a Lucene index: entries survive any change of vector
 * format, codec or Lucene version. Static; thread-safe.
 */
public final class EntryCodec {
  private EntryCodec() {}

  /**
   * The Lucene document of an entry.
   *
   * @param e the entry
   * @return the document
   */
  public static Document toDocument(CacheEntry e) {
    return document(
        new BytesRef(e.key().bytes()),
        e.fingerprint().hex(),
        roleTerm(e.role()),
        encode(e.vector()));
  }

  /**
   * A copy of an entry read back from stored fields (key, fp, role, vec), for rewriting it.
   *
   * @param stored the stored fields
   * @return a new document with the same entry
   */
  public static Document copy(Document stored) {
    return document(
        BytesRef.deepCopyOf(stored.getBinaryValue(Fields.KEY)),
        stored.get(Fields.FP),
        stored.get(Fields.ROLE),
        BytesRef.deepCopyOf(stored.getBinaryValue(Fields.VEC)));
  }

  private static Document document(BytesRef key, String fp, String role, Object vector) {
    Document doc = new Document();
    doc.add(new StringField(Fields.KIND, Fields.ENTRY, Field.Store.NO));
    doc.add(new StringField(Fields.KEY, key, Field.Store.YES));
    doc.add(new StringField(Fields.FP, fp, Field.Store.YES));
    doc.add(new StringField(Fields.ROLE, role, Field.Store.YES));
    doc.add(
        vector instanceof byte[] b
            ? new StoredField(Fields.VEC, b)
            : new StoredField(Fields.VEC, (BytesRef) vector));
    return doc;
  }

  /**
   * The entry a document holds.
   *
   * @param stored its stored key, role and vec fields
   * @param fingerprint the fingerprint it was found under
   * @return the entry
   */
  public static CacheEntry entryOf(Document stored, ModelFingerprint fingerprint) {
    BytesRef key = stored.getBinaryValue(Fields.KEY);
    return new CacheEntry(
        CacheKey.ofBytes(key.bytes, key.offset),
        fingerprint,
        roleOf(stored.get(Fields.ROLE)),
        decode(stored.getBinaryValue(Fields.VEC)));
  }

  /**
   * The indexed term of the entry's key.
   *
   * @param key the key
   * @return the term
   */
  public static Term keyTerm(CacheKey key) {
    return new Term(Fields.KEY, new BytesRef(key.bytes()));
  }

  /**
   * The one-letter form of a role, as indexed and stored.
   *
   * @param role the role
   * @return {@code D} or {@code Q}
   */
  public static String roleTerm(Role role) {
    return String.valueOf((char) role.code());
  }

  /**
   * The role of a stored one-letter form.
   *
   * @param term {@code D} or {@code Q}
   * @return the role
   */
  public static Role roleOf(String term) {
    return Role.fromCode((byte) term.charAt(0));
  }

  /**
   * Every live entry of one model.
   *
   * @param fingerprint the model's fingerprint
   * @return the query
   */
  public static Query entriesOf(ModelFingerprint fingerprint) {
    return new BooleanQuery.Builder()
        .add(new TermQuery(new Term(Fields.KIND, Fields.ENTRY)), Occur.FILTER)
        .add(new TermQuery(new Term(Fields.FP, fingerprint.hex())), Occur.FILTER)
        .build();
  }

  /**
   * Every live entry of one model with one role.
   *
   * @param fingerprint the model's fingerprint
   * @param role the role
   * @return the query
   */
  public static Query entriesOf(ModelFingerprint fingerprint, Role role) {
    return new BooleanQuery.Builder()
        .add(entriesOf(fingerprint), Occur.FILTER)
        .add(new TermQuery(new Term(Fields.ROLE, roleTerm(role))), Occur.FILTER)
        .build();
  }

  /**
   * Reads a stored vector.
   *
   * @param bytes float32 little-endian
   * @return the vector
   */
  public static float[] decode(BytesRef bytes) {
    float[] v = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(v);
    return v;
  }

  /**
   * Writes a vector as stored.
   *
   * @param v the vector
   * @return float32 little-endian bytes
   */
  public static byte[] encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }
}
