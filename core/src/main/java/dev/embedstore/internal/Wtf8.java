package dev.embedstore.internal;

/**
 * Encodes Java strings as WTF-8: UTF-8, except that an unpaired surrogate is encoded as the three
 * bytes it would have as a code point, instead of being replaced. Injective over all strings, so
 * cache keys of two different strings never collide by encoding. Not thread-safe; one instance
 * reuses its buffer.
 */
public final class Wtf8 {
  private byte[] bytes = new byte[64];
  private int length;

  public static Wtf8 encode(String s) {
    Wtf8 w = new Wtf8();
    w.set(s);
    return w;
  }

  public void set(String s) {
    int n = s.length();
    if (bytes.length < 3 * n) {
      bytes = new byte[Math.max(3 * n, 2 * bytes.length)];
    }
    byte[] b = bytes;
    int j = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[j++] = (byte) c;
      } else if (c < 0x800) {
        b[j++] = (byte) (0xC0 | (c >> 6));
        b[j++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[j++] = (byte) (0xF0 | (cp >> 18));
        b[j++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        b[j++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        b[j++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        // Any other BMP char, lone surrogates included.
        b[j++] = (byte) (0xE0 | (c >> 12));
        b[j++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[j++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    length = j;
  }

  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return length;
  }
}
