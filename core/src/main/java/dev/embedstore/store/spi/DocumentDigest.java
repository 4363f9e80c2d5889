package dev.embedstore.store.spi;

import dev.embedstore.internal.Wtf8;
import dev.embedstore.store.Document;
import dev.embedstore.text.TextSplitter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest that decides whether a document is unchanged: equal digests mean the stored document
 * has the same text, title, metadata (values and types), vector and chunking, so an upsert can
 * leave it alone. Every component is length-prefixed and every string WTF-8 encoded (like {@link
 * dev.embedstore.cache.CacheKey}), so two different documents never share an encoding:
 *
 * <pre>
 *   SHA-256( "embedstore-doc/2"
 *            ‖ str(chunking)            "whole", or the splitter's identity (sizes and tokenizer)
 *            ‖ u8 0 | u8 1 ‖ str(title)
 *            ‖ str(text)
 *            ‖ u32 n ‖ n × ( str(field) ‖ value )      fields in String order
 *            ‖ u8 0 | u8 1 ‖ u32 d ‖ d × u32 float bits  the document's own vector
 *          )
 *   str(s) = u32 length ‖ WTF-8(s)
 *   value  = 'L' u64 | 'D' u64 (raw double bits) | 'B' u8 | 'S' str | 'A' u32 count ‖ count × str
 * </pre>
 *
 * <p>Version 1 hashed {@code type + ":" + toString()} of each value and plain UTF-8, so {@code ["a,
 * b"]} and {@code ["a", "b"]}, or two texts differing in a lone surrogate, looked alike. A store
 * written by version 1 sees each document as changed once, and rewrites it from the cache (no model
 * calls).
 *
 * <p>Static; thread-safe.
 */
public final class DocumentDigest {
  private static final byte[] TAG = "embedstore-doc/2".getBytes(StandardCharsets.US_ASCII);

  private DocumentDigest() {}

  /**
   * The digest of a document as it would be stored with a splitter.
   *
   * @param d the document
   * @param splitter the splitter, or null for one chunk per document
   * @return 64 hex digits
   */
  public static String of(Document d, TextSplitter splitter) {
    Encoder e = new Encoder();
    e.md.update(TAG);
    e.str(splitter == null || d.vector() != null ? "whole" : splitter.identity());
    if (d.title() == null) {
      e.u8(0);
    } else {
      e.u8(1);
      e.str(d.title());
    }
    e.str(d.text());
    Map<String, Object> sorted = new TreeMap<>(d.metadata());
    e.u32(sorted.size());
    for (Map.Entry<String, Object> m : sorted.entrySet()) {
      e.str(m.getKey());
      switch (m.getValue()) {
        case Long l -> {
          e.u8('L');
          e.u64(l);
        }
        case Double x -> {
          e.u8('D');
          e.u64(Double.doubleToRawLongBits(x));
        }
        case Boolean b -> {
          e.u8('B');
          e.u8(b ? 1 : 0);
        }
        case List<?> list -> {
          e.u8('A');
          e.u32(list.size());
          for (Object o : list) {
            e.str((String) o);
          }
        }
        default -> {
          e.u8('S');
          e.str(m.getValue().toString());
        }
      }
    }
    float[] v = d.vector();
    if (v == null) {
      e.u8(0);
    } else {
      e.u8(1);
      e.u32(v.length);
      for (float x : v) {
        e.u32(Float.floatToRawIntBits(x));
      }
    }
    return HexFormat.of().formatHex(e.md.digest());
  }

  private static final class Encoder {
    final MessageDigest md;
    final Wtf8 wtf8 = new Wtf8();
    final byte[] buf = new byte[8];

    Encoder() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError("every JDK has SHA-256", e);
      }
    }

    void u8(int b) {
      md.update((byte) b);
    }

    void u32(int v) {
      buf[0] = (byte) (v >>> 24);
      buf[1] = (byte) (v >>> 16);
      buf[2] = (byte) (v >>> 8);
      buf[3] = (byte) v;
      md.update(buf, 0, 4);
    }

    void u64(long v) {
      for (int i = 0; i < 8; i++) {
        buf[i] = (byte) (v >>> (56 - 8 * i));
      }
      md.update(buf, 0, 8);
    }

    void str(String s) {
      wtf8.set(s);
      u32(wtf8.length());
      md.update(wtf8.bytes(), 0, wtf8.length());
    }
  }
}
