package dev.embedstore.solr.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The byte encoding of what the store keeps in Solr's stored binary fields: unsigned varints,
 * 64-bit numbers, and strings in an encoding that keeps every Java string exactly, lone surrogates
 * included.
 *
 * <p>Solr's transports encode strings as UTF-8, which turns an unpaired surrogate into U+FFFD, so a
 * text or an id with one would not come back as it was given. Here each UTF-16 code unit is encoded
 * on its own, in 1 to 3 bytes, as UTF-8 encodes code points below U+10000 (CESU-8): the encoding is
 * injective and decodes back to the same string.
 *
 * <pre>
 *   varint  7 bits per byte, low group first, high bit set on all but the last byte
 *   str     varint(byte length) ‖ code units, each as 1-3 UTF-8-style bytes
 *   long    8 bytes big-endian;   double  its raw long bits
 * </pre>
 *
 * <p>Not thread-safe; one writer or reader per record.
 */
public final class Binary {
  private Binary() {}

  /**
   * The encoded bytes of a string (without a length prefix).
   *
   * @param s the string
   * @return its bytes
   */
  public static byte[] encode(String s) {
    Writer w = new Writer(s.length() + 4);
    w.units(s);
    return w.toBytes();
  }

  /**
   * Decodes {@link #encode}'s bytes.
   *
   * @param b the bytes
   * @return the string
   * @throws IOException if the bytes are not such an encoding
   */
  public static String decode(byte[] b) throws IOException {
    return new Reader(b).units(b.length);
  }

  /**
   * Float32 little-endian bytes of a vector, bit-exact (the layout of the Lucene store's cache).
   *
   * @param v the vector
   * @return {@code 4 * v.length} bytes
   */
  public static byte[] floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * Reads {@link #floats(float[])}'s bytes.
   *
   * @param b the bytes
   * @return a new vector
   * @throws IOException if the length is not a positive multiple of 4
   */
  public static float[] floats(byte[] b) throws IOException {
    if (b.length == 0 || b.length % Float.BYTES != 0) {
      throw new IOException("a stored vector has " + b.length + " bytes, not a multiple of 4");
    }
    float[] v = new float[b.length / Float.BYTES];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** Builds a record. */
  public static final class Writer {
    private final ByteArrayOutputStream out;

    /**
     * Creates a writer.
     *
     * @param sizeHint the expected size
     */
    public Writer(int sizeHint) {
      out = new ByteArrayOutputStream(Math.max(16, sizeHint));
    }

    /**
     * Appends an unsigned varint.
     *
     * @param v the value, at least 0
     * @return this writer
     */
    public Writer varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    /**
     * Appends a byte.
     *
     * @param b the byte
     * @return this writer
     */
    public Writer u8(int b) {
      out.write(b);
      return this;
    }

    /**
     * Appends a long, big-endian.
     *
     * @param v the value
     * @return this writer
     */
    public Writer i64(long v) {
      for (int i = 56; i >= 0; i -= 8) {
        out.write((int) (v >>> i));
      }
      return this;
    }

    /**
     * Appends a string with its length.
     *
     * @param s the string
     * @return this writer
     */
    public Writer str(String s) {
      byte[] b = encode(s);
      varint(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    private void units(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          out.write(c);
        } else if (c < 0x800) {
          out.write(0xC0 | (c >> 6));
          out.write(0x80 | (c & 0x3F));
        } else {
          out.write(0xE0 | (c >> 12));
          out.write(0x80 | ((c >> 6) & 0x3F));
          out.write(0x80 | (c & 0x3F));
        }
      }
    }

    /**
     * The record.
     *
     * @return a new array
     */
    public byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** Reads a record. */
  public static final class Reader {
    private final byte[] b;
    private int at;

    /**
     * Reads from bytes.
     *
     * @param b the record
     */
    public Reader(byte[] b) {
      this.b = b;
    }

    private int next() throws IOException {
      if (at >= b.length) {
        throw new IOException("a stored record ends early, at byte " + at);
      }
      return b[at++] & 0xFF;
    }

    /**
     * Reads an unsigned varint.
     *
     * @return the value
     * @throws IOException if the record ends or the value is too long
     */
    public long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = next();
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("a stored record has a varint longer than 64 bits");
    }

    /**
     * Reads a byte.
     *
     * @return the byte, 0 to 255
     * @throws IOException if the record ends
     */
    public int u8() throws IOException {
      return next();
    }

    /**
     * Reads a big-endian long.
     *
     * @return the value
     * @throws IOException if the record ends
     */
    public long i64() throws IOException {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | next();
      }
      return v;
    }

    /**
     * Reads a string written with its length.
     *
     * @return the string
     * @throws IOException if the record is damaged
     */
    public String str() throws IOException {
      long n = varint();
      if (n > b.length - at) {
        throw new IOException("a stored string of " + n + " bytes overruns its record");
      }
      return units((int) n);
    }

    private String units(int n) throws IOException {
      int end = at + n;
      StringBuilder s = new StringBuilder(n);
      while (at < end) {
        int x = next();
        if (x < 0x80) {
          s.append((char) x);
        } else if ((x & 0xE0) == 0xC0) {
          s.append((char) (((x & 0x1F) << 6) | cont()));
        } else if ((x & 0xF0) == 0xE0) {
          int hi = cont();
          s.append((char) (((x & 0x0F) << 12) | (hi << 6) | cont()));
        } else {
          throw new IOException("a stored string has a bad lead byte at " + (at - 1));
        }
      }
      if (at != end) {
        throw new IOException("a stored string overruns its length");
      }
      return s.toString();
    }

    private int cont() throws IOException {
      int x = next();
      if ((x & 0xC0) != 0x80) {
        throw new IOException("a stored string has a bad continuation byte at " + (at - 1));
      }
      return x & 0x3F;
    }

    /**
     * Whether the record has more bytes.
     *
     * @return whether it does
     */
    public boolean hasMore() {
      return at < b.length;
    }
  }
}
