package dev.embedstore.embed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A SHA-256 digest of everything that decides the vector an embedder produces for a given text: the
 * model bytes, the tokenizer bytes, pooling, normalisation, truncation, prefixes, output dimension
 * and the embedding code's own version. Cache keys include it, so a cached vector can never be
 * served for a different model or pipeline.
 *
 * <p>Build one with {@link #builder()}, adding every component that can change a vector. The digest
 * is over a self-delimiting encoding of the components in the order they are added:
 *
 * <pre>
 *   "embedstore-fingerprint/1"
 *   for each component: u32 length ‖ UTF-8 name ‖ u8 type ‖ u32 length ‖ value bytes
 * </pre>
 *
 * <p>Values are immutable and thread-safe.
 */
public final class ModelFingerprint {
  /** The number of bytes in a fingerprint. */
  public static final int BYTES = 32;

  private static final byte[] TAG = "embedstore-fingerprint/1".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] digest;

  private ModelFingerprint(byte[] digest) {
    this.digest = digest;
  }

  /**
   * Wraps an existing digest, for example one read back from a store.
   *
   * @param bytes 32 bytes; copied
   * @return the fingerprint
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static ModelFingerprint ofBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "a fingerprint must be " + BYTES + " bytes; length=" + bytes.length);
    }
    return new ModelFingerprint(bytes.clone());
  }

  /**
   * Parses the form written by {@link #hex()}.
   *
   * @param hex 64 hexadecimal digits
   * @return the fingerprint
   * @throws IllegalArgumentException if {@code hex} is not 64 hexadecimal digits
   */
  public static ModelFingerprint ofHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          "a fingerprint must be " + 2 * BYTES + " hex digits; hex=" + hex);
    }
    try {
      return new ModelFingerprint(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a fingerprint must be hex digits; hex=" + hex, e);
    }
  }

  /**
   * Starts a fingerprint.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The digest.
   *
   * @return a copy of the 32 bytes
   */
  public byte[] bytes() {
    return digest.clone();
  }

  /**
   * Copies the digest into {@code dest}, for callers that hash it without allocating.
   *
   * @param dest the destination
   * @param offset where the 32 bytes go
   */
  public void copyTo(byte[] dest, int offset) {
    System.arraycopy(digest, 0, dest, offset, BYTES);
  }

  /**
   * The digest as 64 lower-case hexadecimal digits.
   *
   * @return the hex form
   */
  public String hex() {
    return HEX.formatHex(digest);
  }

  /**
   * The first 12 hex digits: short enough to print, long enough to tell models apart in practice.
   *
   * @return the short id
   */
  public String shortId() {
    return hex().substring(0, 12);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelFingerprint other && MessageDigest.isEqual(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "ModelFingerprint[" + shortId() + "]";
  }

  /**
   * Accumulates the components of a fingerprint. Not thread-safe; a builder is used once.
   *
   * <p>Add components in a fixed order: the same components in another order give another
   * fingerprint.
   */
  public static final class Builder {
    private static final byte TYPE_BYTES = 1;
    private static final byte TYPE_STRING = 2;
    private static final byte TYPE_LONG = 3;

    private final MessageDigest sha = sha256();
    private boolean built;

    private Builder() {
      sha.update(TAG);
    }

    /**
     * Adds a component whose value is raw bytes, typically the digest of a file.
     *
     * @param name the component's name, such as {@code "model.onnx"}
     * @param value the bytes
     * @return this builder
     */
    public Builder add(String name, byte[] value) {
      Objects.requireNonNull(value, "value");
      return component(name, TYPE_BYTES, value);
    }

    /**
     * Adds a component whose value is a string, such as a pooling mode or a prefix.
     *
     * @param name the component's name
     * @param value the string (may be empty)
     * @return this builder
     */
    public Builder add(String name, String value) {
      Objects.requireNonNull(value, "value");
      return component(name, TYPE_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds a component whose value is a number, such as a token limit.
     *
     * @param name the component's name
     * @param value the number
     * @return this builder
     */
    public Builder add(String name, long value) {
      byte[] bytes = new byte[Long.BYTES];
      for (int i = 0; i < Long.BYTES; i++) {
        bytes[i] = (byte) (value >>> (56 - 8 * i));
      }
      return component(name, TYPE_LONG, bytes);
    }

    /**
     * Adds the SHA-256 of everything {@code in} yields, for example a model file. Reads {@code in}
     * to its end; the caller closes it.
     *
     * @param name the component's name
     * @param in the content
     * @return this builder
     * @throws IOException if reading fails
     */
    public Builder addDigestOf(String name, InputStream in) throws IOException {
      Objects.requireNonNull(in, "in");
      MessageDigest content = sha256();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) != -1; ) {
        content.update(buffer, 0, n);
      }
      return add(name, content.digest());
    }

    /**
     * Finishes the fingerprint.
     *
     * @return the fingerprint
     * @throws IllegalStateException if called twice
     */
    public ModelFingerprint build() {
      ensureOpen();
      built = true;
      return new ModelFingerprint(sha.digest());
    }

    private Builder component(String name, byte type, byte[] value) {
      Objects.requireNonNull(name, "name");
      ensureOpen();
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      updateInt(nameBytes.length);
      sha.update(nameBytes);
      sha.update(type);
      updateInt(value.length);
      sha.update(value);
      return this;
    }

    private void updateInt(int v) {
      sha.update((byte) (v >>> 24));
      sha.update((byte) (v >>> 16));
      sha.update((byte) (v >>> 8));
      sha.update((byte) v);
    }

    private void ensureOpen() {
      if (built) {
        throw new IllegalStateException("ModelFingerprint.Builder was already built");
      }
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256 (java.security.MessageDigest's contract).
      throw new AssertionError("SHA-256 is missing from this JVM", e);
    }
  }
}
