package dev.embedstore.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class ModelFingerprintTest {

  static ModelFingerprint reference() throws Exception {
    byte[] modelDigest =
        MessageDigest.getInstance("SHA-256").digest("model".getBytes(StandardCharsets.US_ASCII));
    return ModelFingerprint.builder()
        .add("model.onnx", modelDigest)
        .add("pooling", "mean")
        .add("max_tokens", 256)
        .build();
  }

  @Test
  void digestIsStableAcrossRunsAndImplementations() throws Exception {
    // Computed independently (Python hashlib) from the encoding documented on ModelFingerprint.
    assertEquals(
        "937315a422c9a6166980a489f55ee0c8a137bf4c46a67a0b7af5a70efdb43cda", reference().hex());
    assertEquals("937315a422c9", reference().shortId());
  }

  @Test
  void addDigestOfEqualsAddingTheDigest() throws Exception {
    ModelFingerprint streamed =
        ModelFingerprint.builder()
            .addDigestOf(
                "model.onnx", new ByteArrayInputStream("model".getBytes(StandardCharsets.US_ASCII)))
            .add("pooling", "mean")
            .add("max_tokens", 256)
            .build();
    assertEquals(reference(), streamed);
  }

  @Test
  void everyComponentAndItsOrderMatter() {
    ModelFingerprint base = ModelFingerprint.builder().add("a", "x").add("b", 1).build();
    assertNotEquals(base, ModelFingerprint.builder().add("b", 1).add("a", "x").build());
    assertNotEquals(base, ModelFingerprint.builder().add("a", "y").add("b", 1).build());
    assertNotEquals(base, ModelFingerprint.builder().add("a", "x").add("b", 2).build());
    assertNotEquals(base, ModelFingerprint.builder().add("a", "x").add("b", "1").build());
    assertNotEquals(base, ModelFingerprint.builder().add("a", "x").build());
    // Lengths delimit components: moving a byte from name to value changes the digest.
    assertNotEquals(
        ModelFingerprint.builder().add("ab", "c").build(),
        ModelFingerprint.builder().add("a", "bc").build());
    assertEquals(base, ModelFingerprint.builder().add("a", "x").add("b", 1).build());
    assertEquals(
        base.hashCode(), ModelFingerprint.builder().add("a", "x").add("b", 1).build().hashCode());
  }

  @Test
  void hexAndBytesRoundTrip() throws Exception {
    ModelFingerprint fp = reference();
    assertEquals(fp, ModelFingerprint.ofHex(fp.hex()));
    assertEquals(fp, ModelFingerprint.ofBytes(fp.bytes()));
    byte[] copy = fp.bytes();
    copy[0] ^= 1;
    assertNotEquals(fp, ModelFingerprint.ofBytes(copy));
    assertEquals(reference(), fp, "bytes() must return a copy");
  }

  @Test
  void badInputIsRefusedWithTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelFingerprint.ofHex("abc"));
    assertEquals("a fingerprint must be 64 hex digits; hex=abc", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ModelFingerprint.ofHex("z".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> ModelFingerprint.ofBytes(new byte[31]));
    assertThrows(
        NullPointerException.class, () -> ModelFingerprint.builder().add("a", (String) null));
    ModelFingerprint.Builder b = ModelFingerprint.builder();
    b.build();
    assertThrows(IllegalStateException.class, b::build);
  }
}
