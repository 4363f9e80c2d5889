package dev.embedstore.solr.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chunk keeps exactly, in its stored {@code body} field: its document's id, title and
 * metadata (with their types) and the chunk's own text. A hit or a {@code get} is answered from it
 * alone.
 *
 * <pre>
 *   u8 1 (version) ‖ str id ‖ (u8 0 | u8 1 ‖ str title) ‖ varint n ‖ n × (str name ‖ value) ‖ str text
 *   value = 'L' long | 'D' double bits | 'B' u8 | 'S' str | 'A' varint count ‖ count × str
 * </pre>
 *
 * <p>Immutable; thread-safe.
 *
 * @param id the document id
 * @param title the title, or null
 * @param metadata the metadata as {@link dev.embedstore.store.Document} normalises it
 * @param text the chunk's text
 */
public record ChunkBody(String id, String title, Map<String, Object> metadata, String text) {
  private static final int VERSION = 1;

  /** Checks the arguments. */
  public ChunkBody {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(text, "text");
  }

  /**
   * Encodes the body.
   *
   * @return the bytes
   */
  public byte[] encode() {
    Binary.Writer w = new Binary.Writer(text.length() + id.length() + 32);
    w.u8(VERSION).str(id);
    if (title == null) {
      w.u8(0);
    } else {
      w.u8(1).str(title);
    }
    w.varint(metadata.size());
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      w.str(e.getKey());
      switch (e.getValue()) {
        case Long l -> w.u8('L').i64(l);
        case Double d -> w.u8('D').i64(Double.doubleToRawLongBits(d));
        case Boolean b -> w.u8('B').u8(b ? 1 : 0);
        case List<?> list -> {
          w.u8('A').varint(list.size());
          for (Object o : list) {
            w.str((String) o);
          }
        }
        default -> w.u8('S').str(e.getValue().toString());
      }
    }
    w.str(text);
    return w.toBytes();
  }

  /**
   * Decodes a body.
   *
   * @param bytes the stored bytes
   * @return the body
   * @throws IOException if the bytes are damaged or of a newer version
   */
  public static ChunkBody decode(byte[] bytes) throws IOException {
    Binary.Reader r = new Binary.Reader(bytes);
    int version = r.u8();
    if (version != VERSION) {
      throw new IOException("a chunk's stored body has version " + version + "; this reads 1");
    }
    String id = r.str();
    String title = r.u8() == 1 ? r.str() : null;
    long n = r.varint();
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (long i = 0; i < n; i++) {
      String name = r.str();
      int tag = r.u8();
      Object value =
          switch (tag) {
            case 'L' -> r.i64();
            case 'D' -> Double.longBitsToDouble(r.i64());
            case 'B' -> r.u8() == 1;
            case 'S' -> r.str();
            case 'A' -> {
              long count = r.varint();
              List<String> list = new ArrayList<>();
              for (long j = 0; j < count; j++) {
                list.add(r.str());
              }
              yield List.copyOf(list);
            }
            default -> throw new IOException("a chunk's stored body has a bad value tag " + tag);
          };
      metadata.put(name, value);
    }
    return new ChunkBody(id, title, metadata, r.str());
  }
}
