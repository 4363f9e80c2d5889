package dev.embedstore.cli.input;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * Where the last record of each id is, without holding the ids: for every distinct id, a 64-bit
 * hash of it, the position of its last record and that record's line number. A million ids take
 * about 32 MB (24 bytes an id in pages of 8,192, and an open-addressing table of {@code int}s at
 * most half full), whatever their length.
 *
 * <p>Exact despite the hash: when a new id's hash equals a held one, the held record's id is read
 * again through an {@link IdReader} and compared, so two ids that share a hash get entries of their
 * own. Only a matching hash costs that read, and a repeated id is nearly always the reason.
 *
 * <p>Positions must be given in increasing order; any unique number per record will do (the index
 * command uses a byte offset over all its inputs).
 *
 * <p>Not thread-safe.
 */
public final class LastOccurrences {
  /** Reads the id of the record at a position again, for telling ids with one hash apart. */
  @FunctionalInterface
  public interface IdReader {
    /**
     * The id of the record at a position that {@link #put} was given.
     *
     * @param position the record's position
     * @return its id
     * @throws IOException if it cannot be read
     */
    String idAt(long position) throws IOException;
  }

  /**
   * Where an id's record was before the one just put.
   *
   * @param position its position
   * @param line its line number
   */
  public record Previous(long position, long line) {}

  private static final int PAGE_SHIFT = 13;
  private static final int PAGE = 1 << PAGE_SHIFT;

  /** At most this many slots: the table stays at most half full, its entries indexed by int. */
  private static final int MAX_SLOTS = 1 << 30;

  private final ToLongFunction<String> hasher;
  private long[][] hashes = new long[0][];
  private long[][] positions = new long[0][];
  private long[][] lines = new long[0][];
  private int size;

  /** Entry index + 1 by hash; 0 is empty. */
  private int[] slots = new int[64];

  /** Creates an empty table. */
  public LastOccurrences() {
    this(LastOccurrences::hash);
  }

  /** Creates an empty table with another hash function: tests force collisions with one. */
  LastOccurrences(ToLongFunction<String> hasher) {
    this.hasher = hasher;
  }

  /**
   * Records that the record at {@code position} is the last of its id so far.
   *
   * @param id the record's id
   * @param position the record's position, greater than every position put before
   * @param line its line number, for messages
   * @param reader reads the id of an earlier record when its hash equals this one's
   * @return where the id's previous record was, or null when the id is new
   * @throws IOException if the reader fails
   */
  public Previous put(String id, long position, long line, IdReader reader) throws IOException {
    long h = hasher.applyAsLong(id);
    int mask = slots.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      int e = slots[i] - 1;
      if (e < 0) {
        add(i, h, position, line);
        return null;
      }
      if (get(hashes, e) == h && id.equals(reader.idAt(get(positions, e)))) {
        Previous before = new Previous(get(positions, e), get(lines, e));
        set(positions, e, position);
        set(lines, e, line);
        return before;
      }
    }
  }

  /**
   * Whether the record at {@code position} is the last of its id.
   *
   * @param id the record's id
   * @param position its position, as given to {@link #put} with this id (a position identifies a
   *     record: the id only narrows the search)
   * @return true when no later record of the id was put
   */
  public boolean isLast(String id, long position) {
    long h = hasher.applyAsLong(id);
    int mask = slots.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      int e = slots[i] - 1;
      if (e < 0) {
        return false;
      }
      // Another id with this hash has other positions: only this id's entry can hold this one.
      if (get(hashes, e) == h && get(positions, e) == position) {
        return true;
      }
    }
  }

  /**
   * The number of distinct ids.
   *
   * @return the count
   */
  public int size() {
    return size;
  }

  private void add(int slot, long h, long position, long line) {
    int e = size;
    if ((e >>> PAGE_SHIFT) == hashes.length) {
      hashes = addPage(hashes);
      positions = addPage(positions);
      lines = addPage(lines);
    }
    set(hashes, e, h);
    set(positions, e, position);
    set(lines, e, line);
    slots[slot] = e + 1;
    size++;
    if (size > slots.length / 2) {
      grow();
    }
  }

  private void grow() {
    if (slots.length == MAX_SLOTS) {
      throw new IllegalStateException(
          "more than " + MAX_SLOTS / 2 + " distinct ids in one run; index the input in parts");
    }
    int[] bigger = new int[slots.length * 2];
    int mask = bigger.length - 1;
    for (int e = 0; e < size; e++) {
      int i = (int) get(hashes, e) & mask;
      while (bigger[i] != 0) {
        i = (i + 1) & mask;
      }
      bigger[i] = e + 1;
    }
    slots = bigger;
  }

  private static long[][] addPage(long[][] pages) {
    long[][] more = Arrays.copyOf(pages, pages.length + 1);
    more[pages.length] = new long[PAGE];
    return more;
  }

  private static long get(long[][] pages, int e) {
    return pages[e >>> PAGE_SHIFT][e & (PAGE - 1)];
  }

  private static void set(long[][] pages, int e, long value) {
    pages[e >>> PAGE_SHIFT][e & (PAGE - 1)] = value;
  }

  /** A 64-bit hash of an id's chars (multiply-xorshift per char, MurmurHash3's finaliser). */
  static long hash(String id) {
    long h = 0x9E3779B97F4A7C15L * (id.length() + 1);
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
