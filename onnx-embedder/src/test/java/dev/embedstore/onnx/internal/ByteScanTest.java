package dev.embedstore.onnx.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link OnnxSession#contains}, the scan that tells a dynamically quantised graph. */
class ByteScanTest {
  private static final byte[] NEEDLE = "DynamicQuantizeLinear".getBytes(StandardCharsets.US_ASCII);

  @Test
  void findsTheNeedleWhereverItLiesIncludingAcrossWindows() {
    int size = 3 * (1 << 20) + 77;
    for (int at :
        new int[] {
          0,
          1,
          (1 << 20) - NEEDLE.length,
          (1 << 20) - 10,
          (1 << 20) - 1,
          1 << 20,
          2 * (1 << 20) - 30,
          size - NEEDLE.length
        }) {
      ByteBuffer buffer = ByteBuffer.allocateDirect(size);
      buffer.put(at, NEEDLE);
      assertTrue(OnnxSession.contains(buffer, NEEDLE), "needle at " + at);
      buffer.put(at + NEEDLE.length - 1, (byte) 'x');
      assertFalse(OnnxSession.contains(buffer, NEEDLE), "broken needle at " + at);
    }
  }

  @Test
  void aNeedleCutByTheLimitIsNotFound() {
    ByteBuffer buffer = ByteBuffer.allocate(100);
    buffer.put(90, NEEDLE, 0, 10);
    assertFalse(OnnxSession.contains(buffer, NEEDLE));
    assertFalse(OnnxSession.contains(ByteBuffer.allocate(5), NEEDLE));
    buffer.put(100 - NEEDLE.length, NEEDLE);
    buffer.limit(99);
    assertFalse(OnnxSession.contains(buffer, NEEDLE), "past the limit");
    buffer.limit(100);
    assertTrue(OnnxSession.contains(buffer, NEEDLE));
  }

  /** Small alphabets make near-misses and overlapping partial matches common. */
  @Test
  void agreesWithANaiveSearchOnRandomBytes() {
    Random random = new Random(42);
    for (int trial = 0; trial < 2_000; trial++) {
      byte[] needle = new byte[1 + random.nextInt(6)];
      for (int i = 0; i < needle.length; i++) {
        needle[i] = (byte) ('a' + random.nextInt(3));
      }
      byte[] hay = new byte[random.nextInt(3 * (1 << 20) / 100 + 200)];
      for (int i = 0; i < hay.length; i++) {
        hay[i] = (byte) ('a' + random.nextInt(3 + trial % 5));
      }
      assertEquals(
          naive(hay, needle), OnnxSession.contains(ByteBuffer.wrap(hay), needle), "trial " + trial);
    }
  }

  private static boolean naive(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
