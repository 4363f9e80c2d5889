package dev.embedstore.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.testing.Seeded;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class CacheKeyTest {
  static final ModelFingerprint FP = fingerprint();

  static ModelFingerprint fingerprint() {
    try {
      return ModelFingerprint.builder()
          .add(
              "model.onnx",
              MessageDigest.getInstance("SHA-256")
                  .digest("model".getBytes(StandardCharsets.US_ASCII)))
          .add("pooling", "mean")
          .add("max_tokens", 256)
          .build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void keysAreStableAcrossRunsAndImplementations() {
    // Computed independently (Python hashlib, UTF-8 with 'surrogatepass') from the documented
    // layout.
    assertEquals(
        "5215d73891c72a8d8e0083802d3611824158a7c38866e05862e97c64ca4557b9",
        CacheKey.of(FP, "", Role.DOCUMENT, "hello world").hex());
    assertEquals(
        "1bd7fabbe9b80f6bcb7219e654ae5192e0b60654d63aac6bbb7b361856083bcc",
        CacheKey.of(FP, "tenant-7", Role.QUERY, "h\u00e9llo \uD83D\uDE00").hex());
    assertEquals(
        "bdec6c5cce4e401717597889e4dc4795f19dd15b9b0f17d0297510dc3787cae9",
        CacheKey.of(FP, "", Role.DOCUMENT, "a\uD800b").hex());
    assertEquals(
        "fe1b709bbf438f1f89821fa00bbf58e9518913bbd137b2901466518a127ca8b8",
        CacheKey.of(FP, "", Role.DOCUMENT, "").hex());
  }

  @Test
  void everyInputChangesTheKey() {
    ModelFingerprint other = ModelFingerprint.builder().add("model", "other").build();
    List<CacheKey> keys =
        List.of(
            CacheKey.of(FP, "", Role.DOCUMENT, "text"),
            CacheKey.of(other, "", Role.DOCUMENT, "text"),
            CacheKey.of(FP, "", Role.QUERY, "text"),
            CacheKey.of(FP, "", Role.DOCUMENT, "text "),
            CacheKey.of(FP, "ns", Role.DOCUMENT, "text"),
            // The namespace is length-prefixed: it cannot bleed into the text.
            CacheKey.of(FP, "t", Role.DOCUMENT, "ext"),
            // Lone surrogates stay distinct from the '?' that UTF-8 encoding would make of them.
            CacheKey.of(FP, "", Role.DOCUMENT, "a\uD800"),
            CacheKey.of(FP, "", Role.DOCUMENT, "a?"),
            CacheKey.of(FP, "", Role.DOCUMENT, "a\uDC00"),
            CacheKey.of(FP, "", Role.DOCUMENT, "a\uFFFD"));
    assertEquals(keys.size(), new HashSet<>(keys).size(), "keys collide: " + keys);
    assertEquals(keys.get(0), CacheKey.of(FP, "", Role.DOCUMENT, "text"));
  }

  @Test
  void deriveAllEqualsOneByOne(Random random) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      texts.add(randomText(random));
    }
    List<CacheKey> batch = CacheKey.deriveAll(FP, "ns", Role.QUERY, texts);
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(CacheKey.of(FP, "ns", Role.QUERY, texts.get(i)), batch.get(i));
    }
  }

  @Test
  void randomDistinctStringsGetDistinctKeys(Random random) {
    Set<String> texts = new HashSet<>();
    while (texts.size() < 5_000) {
      texts.add(randomText(random));
    }
    List<CacheKey> keys = CacheKey.deriveAll(FP, "", Role.DOCUMENT, new ArrayList<>(texts));
    assertEquals(texts.size(), new HashSet<>(keys).size());
  }

  @Test
  void orderIsTheUnsignedOrderOfTheBytes(Random random) {
    for (int i = 0; i < 2_000; i++) {
      byte[] a = new byte[32];
      byte[] b = new byte[32];
      random.nextBytes(a);
      random.nextBytes(b);
      if (random.nextBoolean()) {
        System.arraycopy(a, 0, b, 0, random.nextInt(32)); // share a prefix
      }
      int expected = Integer.signum(Arrays.compareUnsigned(a, b));
      assertEquals(
          expected, Integer.signum(CacheKey.ofBytes(a, 0).compareTo(CacheKey.ofBytes(b, 0))));
    }
  }

  @Test
  void bytesAndHexRoundTrip(Random random) {
    byte[] raw = new byte[40];
    random.nextBytes(raw);
    CacheKey k = CacheKey.ofBytes(raw, 5);
    assertEquals(Arrays.toString(Arrays.copyOfRange(raw, 5, 37)), Arrays.toString(k.bytes()));
    assertEquals(k, CacheKey.ofHex(k.hex()));
    assertEquals(k.hex(), k.toString());
    byte[] dest = new byte[34];
    k.copyTo(dest, 2);
    assertEquals(k, CacheKey.ofBytes(dest, 2));
    assertNotEquals(k, CacheKey.ofBytes(raw, 4));
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> CacheKey.ofHex("00"));
    assertThrows(IllegalArgumentException.class, () -> CacheKey.ofHex("g".repeat(64)));
    assertThrows(IndexOutOfBoundsException.class, () -> CacheKey.ofBytes(new byte[32], 1));
    NullPointerException e =
        assertThrows(
            NullPointerException.class,
            () -> CacheKey.deriveAll(FP, "", Role.DOCUMENT, Arrays.asList("a", null)));
    assertEquals("texts.get(1)", e.getMessage());
    assertThrows(NullPointerException.class, () -> CacheKey.of(FP, null, Role.DOCUMENT, "a"));
  }

  /**
   * Random strings from awkward corners of Unicode: surrogates (paired and not), NUL, CJK, emoji.
   */
  static String randomText(Random random) {
    int len = random.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      switch (random.nextInt(6)) {
        case 0 -> sb.append((char) random.nextInt(0x80));
        case 1 -> sb.append((char) (0xD800 + random.nextInt(0x800))); // any surrogate, often lone
        case 2 -> sb.appendCodePoint(0x1F600 + random.nextInt(80));
        case 3 -> sb.append((char) (0x4E00 + random.nextInt(0x5000)));
        case 4 -> sb.append('\u0000');
        default -> sb.append((char) random.nextInt(0x10000));
      }
    }
    return sb.toString();
  }
}
