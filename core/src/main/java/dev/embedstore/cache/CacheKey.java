package dev.embedstore.cache;

import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.internal.Wtf8;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The 32-byte key of a cached vector:
 *
 * <pre>
 *   SHA-256( "embedstore-key/1" ‖ fingerprint (32 bytes) ‖ u32 length ‖ WTF-8(namespace) ‖ role code
 *            ‖ WTF-8(text) )
 * </pre>
 *
 * <p>WTF-8 is UTF-8 that also encodes unpaired surrogates; it equals UTF-8 for every well-formed
 * string, and unlike {@code String.getBytes(UTF_8)}, which turns every lone surrogate into {@code
 * '?'}, it gives two different Java strings two different byte sequences. The namespace is empty
 * unless the user sets one (for example per tenant); the fingerprint is always there, so entries of
 * different models never meet.
 *
 * <p>Keys order by their bytes as unsigned numbers, which is the order of their indexed terms in
 * the Lucene store. Values are immutable and thread-safe.
 */
public final class CacheKey implements Comparable<CacheKey> {
  /** The number of bytes in a key. */
  public static final int BYTES = 32;

  private static final byte[] TAG = "embedstore-key/1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VECTOR_TAG =
      "embedstore-vector/1".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  // The digest as four big-endian longs: compact, and equals/compare need no loop over bytes.
  private final long h0;
  private final long h1;
  private final long h2;
  private final long h3;

  private CacheKey(long h0, long h1, long h2, long h3) {
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
  }

  /**
   * Derives the key of one text. For many texts, {@link #deriveAll} reuses one digest.
   *
   * @param fingerprint the embedder's fingerprint
   * @param namespace the user's namespace, empty for none
   * @param role the role the text is embedded as
   * @param text the text
   * @return the key
   */
  public static CacheKey of(
      ModelFingerprint fingerprint, String namespace, Role role, String text) {
    return deriveAll(fingerprint, namespace, role, List.of(text)).get(0);
  }

  /**
   * Derives the keys of many texts, in order.
   *
   * @param fingerprint the embedder's fingerprint
   * @param namespace the user's namespace, empty for none
   * @param role the role the texts are embedded as
   * @param texts the texts; no element may be null
   * @return one key per text
   */
  public static List<CacheKey> deriveAll(
      ModelFingerprint fingerprint, String namespace, Role role, List<String> texts) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(texts, "texts");
    MessageDigest sha = sha256();
    // The prefix is the same for every text: hash it once and clone the digest's state per text.
    sha.update(TAG);
    byte[] fp = new byte[ModelFingerprint.BYTES];
    fingerprint.copyTo(fp, 0);
    sha.update(fp);
    Wtf8 ns = Wtf8.encode(namespace);
    sha.update((byte) (ns.length() >>> 24));
    sha.update((byte) (ns.length() >>> 16));
    sha.update((byte) (ns.length() >>> 8));
    sha.update((byte) ns.length());
    sha.update(ns.bytes(), 0, ns.length());
    sha.update(role.code());
    List<CacheKey> keys = new ArrayList<>(texts.size());
    Wtf8 buffer = new Wtf8();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new NullPointerException("texts.get(" + i + ")");
      }
      MessageDigest copy = cloneOf(sha);
      buffer.set(text);
      copy.update(buffer.bytes(), 0, buffer.length());
      keys.add(ofDigest(copy.digest()));
    }
    return keys;
  }

  /**
   * Derives the key of a vector the application computed itself (a "bring your own vector"
   * document): the key is a digest of the vector's bits, so two different vectors of the same text
   * never share an entry. Tagged {@code "embedstore-vector/1"}, so such a key never equals the key
   * of a text.
   *
   * <pre>
   *   SHA-256( "embedstore-vector/1" ‖ fingerprint (32 bytes) ‖ u32 dimension ‖ float32 big-endian bits )
   * </pre>
   *
   * @param fingerprint the fingerprint of the model the application named
   * @param vector the vector
   * @return the key
   */
  public static CacheKey ofVector(ModelFingerprint fingerprint, float[] vector) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(vector, "vector");
    MessageDigest sha = sha256();
    sha.update(VECTOR_TAG);
    byte[] fp = new byte[ModelFingerprint.BYTES];
    fingerprint.copyTo(fp, 0);
    sha.update(fp);
    byte[] b = new byte[4 + 4 * vector.length];
    writeInt(b, 0, vector.length);
    for (int i = 0; i < vector.length; i++) {
      writeInt(b, 4 + 4 * i, Float.floatToRawIntBits(vector[i]));
    }
    sha.update(b);
    return ofDigest(sha.digest());
  }

  private static void writeInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  /**
   * Wraps key bytes read back from storage.
   *
   * @param bytes the array holding the key
   * @param offset where the 32 key bytes start
   * @return the key
   */
  public static CacheKey ofBytes(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, BYTES, bytes.length);
    return new CacheKey(
        readLong(bytes, offset),
        readLong(bytes, offset + 8),
        readLong(bytes, offset + 16),
        readLong(bytes, offset + 24));
  }

  /**
   * Parses the form written by {@link #hex()}.
   *
   * @param hex 64 hexadecimal digits
   * @return the key
   * @throws IllegalArgumentException if {@code hex} is not 64 hexadecimal digits
   */
  public static CacheKey ofHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          "a cache key must be " + 2 * BYTES + " hex digits; hex=" + hex);
    }
    try {
      return ofDigest(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a cache key must be hex digits; hex=" + hex, e);
    }
  }

  private static CacheKey ofDigest(byte[] digest) {
    return ofBytes(digest, 0);
  }

  /**
   * The key's bytes.
   *
   * @return a new 32-byte array
   */
  public byte[] bytes() {
    byte[] out = new byte[BYTES];
    copyTo(out, 0);
    return out;
  }

  /**
   * Writes the key's 32 bytes into {@code dest}, for callers that build terms without allocating.
   *
   * @param dest the destination
   * @param offset where the bytes go
   */
  public void copyTo(byte[] dest, int offset) {
    Objects.checkFromIndexSize(offset, BYTES, dest.length);
    writeLong(dest, offset, h0);
    writeLong(dest, offset + 8, h1);
    writeLong(dest, offset + 16, h2);
    writeLong(dest, offset + 24, h3);
  }

  /**
   * The key as 64 lower-case hexadecimal digits.
   *
   * @return the hex form
   */
  public String hex() {
    return HEX.formatHex(bytes());
  }

  @Override
  public int compareTo(CacheKey o) {
    int c = Long.compareUnsigned(h0, o.h0);
    if (c == 0) {
      c = Long.compareUnsigned(h1, o.h1);
      if (c == 0) {
        c = Long.compareUnsigned(h2, o.h2);
        if (c == 0) {
          c = Long.compareUnsigned(h3, o.h3);
        }
      }
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && h0 == k.h0 && h1 == k.h1 && h2 == k.h2 && h3 == k.h3;
  }

  @Override
  public int hashCode() {
    // The bytes are a uniform hash already: any 32 of them will do.
    return (int) h0;
  }

  @Override
  public String toString() {
    return hex();
  }

  private static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFFL);
    }
    return v;
  }

  private static void writeLong(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is missing from this JVM", e);
    }
  }

  private static MessageDigest cloneOf(MessageDigest sha) {
    try {
      return (MessageDigest) sha.clone();
    } catch (CloneNotSupportedException e) {
      // The JDK's SHA-256 is cloneable; only an exotic security provider could refuse.
      throw new AssertionError("SHA-256 digest of this JVM cannot be cloned", e);
    }
  }
}
