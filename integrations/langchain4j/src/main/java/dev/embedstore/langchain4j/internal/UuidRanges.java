package dev.embedstore.langchain4j.internal;

import dev.embedstore.store.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * UUID comparisons with Java's meaning, as ranges of canonical UUID strings.
 *
 * <p>langchain4j orders UUIDs by {@link UUID#compareTo}: the most significant 64 bits as a signed
 * long, then the least significant 64 bits as a signed long. The store holds each UUID as its
 * canonical lower-case string, and strings order like the 128 bits read as one unsigned number. The
 * two orders agree once the top bit of each half is flipped: {@code u < v} exactly when {@code
 * flip(u)} is below {@code flip(v)} as unsigned numbers. So "every u above v" is one unsigned
 * interval of flipped values, and flipping it back gives at most six unsigned intervals of values,
 * each a range of strings.
 *
 * <p>Static helpers only; thread-safe.
 */
public final class UuidRanges {
  private static final long SIGN = Long.MIN_VALUE;
  private static final long MAX = -1L;

  private UuidRanges() {}

  /**
   * The stored UUIDs that compare with a value as asked.
   *
   * @param field the store field holding canonical UUID strings
   * @param v the value compared with
   * @param greater whether to keep UUIDs above {@code v} (else below)
   * @param inclusive whether {@code v} itself is kept
   * @return the filter: an Or of string ranges
   */
  public static Filter compare(String field, UUID v, boolean greater, boolean inclusive) {
    long hi = v.getMostSignificantBits() ^ SIGN;
    long lo = v.getLeastSignificantBits() ^ SIGN;
    // The interval [aHi:aLo, bHi:bLo] of flipped values, as unsigned 128-bit numbers.
    long aHi;
    long aLo;
    long bHi;
    long bLo;
    if (greater) {
      if (!inclusive) {
        if (hi == MAX && lo == MAX) {
          return NumberFilters.NOTHING;
        }
        lo++;
        if (lo == 0) {
          hi++;
        }
      }
      aHi = hi;
      aLo = lo;
      bHi = MAX;
      bLo = MAX;
    } else {
      if (!inclusive) {
        if (hi == 0 && lo == 0) {
          return NumberFilters.NOTHING;
        }
        if (lo == 0) {
          hi--;
        }
        lo--;
      }
      aHi = 0;
      aLo = 0;
      bHi = hi;
      bLo = lo;
    }
    List<long[]> intervals = new ArrayList<>();
    if (aHi == bHi) {
      lowRanges(aHi, aLo, bLo, intervals);
    } else {
      lowRanges(aHi, aLo, MAX, intervals);
      if (Long.compareUnsigned(aHi + 1, bHi - 1) <= 0 && aHi + 1 != 0) {
        for (long[] h : unflip(aHi + 1, bHi - 1)) {
          intervals.add(new long[] {h[0], 0, h[1], MAX});
        }
      }
      lowRanges(bHi, 0, bLo, intervals);
    }
    List<Filter> ranges = new ArrayList<>(intervals.size());
    for (long[] i : intervals) {
      ranges.add(
          new Filter.Range(
              field, new UUID(i[0], i[1]).toString(), true, new UUID(i[2], i[3]).toString(), true));
    }
    return ranges.size() == 1 ? ranges.get(0) : new Filter.Or(ranges);
  }

  /** Adds the values whose flipped form has high half {@code fHi} and low half in [lo1, lo2]. */
  private static void lowRanges(long fHi, long lo1, long lo2, List<long[]> out) {
    long hi = fHi ^ SIGN;
    for (long[] l : unflip(lo1, lo2)) {
      out.add(new long[] {hi, l[0], hi, l[1]});
    }
  }

  /**
   * The values whose top bit flipped lies in the unsigned interval [a, b]: one interval when a and
   * b share their top bit, else two.
   */
  private static List<long[]> unflip(long a, long b) {
    if ((a & SIGN) == (b & SIGN)) {
      return List.of(new long[] {a ^ SIGN, b ^ SIGN});
    }
    // a < 2^63 <= b: [a, 2^63 - 1] flips to [a | 2^63, MAX], [2^63, b] flips to [0, b ^ 2^63].
    return List.of(new long[] {0, b ^ SIGN}, new long[] {a ^ SIGN, MAX});
  }
}
