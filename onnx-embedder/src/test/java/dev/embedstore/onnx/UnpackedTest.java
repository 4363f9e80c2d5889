package dev.embedstore.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.embed.Role;
import dev.embedstore.onnx.internal.Unpacked;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Unpacked}: a process given {@code embedstore.unpack.dir} leaves the model's ONNX file and
 * ONNX Runtime's native libraries there, and the next process maps those copies instead of
 * inflating the jars again, with the same vectors; a damaged copy is replaced, never used. Child
 * JVMs, since ONNX Runtime's native library is loaded once per process.
 */
class UnpackedTest {
  private static final BundledModel MODEL = BundledModel.ALL_MINILM_L6_V2_Q;

  @Test
  void aSecondProcessMapsTheUnpackedCopiesAndADamagedCopyIsReplaced(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("unpacked");
    String vector = vectorWithoutTheFolder(MODEL);

    List<String> first = child(MODEL, dir);
    assertEquals(vector, first.get(0), "the first process embeds as one without the folder");
    Path copy = onlyCopy(dir, ".onnx");
    Path ort = onlyCopy(dir, ".ort");
    byte[] original;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(MODEL.onnxResource())) {
      original = in.readAllBytes();
    }
    assertArrayEquals(original, Files.readAllBytes(copy), "the copy is the jar's ONNX file");
    assertFalse(mapped(first, copy), "the first process read the model from the jar: " + first);
    assertTrue(
        ort.getFileName()
            .toString()
            .matches(MODEL.modelName() + "-[0-9a-f]{16}-ort.+-[0-9a-f]{8}\\.ort"),
        ort.toString());
    assertCrcInName(ort);

    // The next process makes its session from the ORT-format copy and never reads the ONNX file.
    List<String> second = child(MODEL, dir);
    assertEquals(vector, second.get(0), "the ORT-format copy gives the same vector, bit for bit");
    assertTrue(mapped(second, ort), "the second process maps the ORT-format copy: " + second);
    assertFalse(mapped(second, copy), "and not the ONNX copy: " + second);
    if (isLinuxX64()) {
      assertTrue(
          second.stream()
              .anyMatch(l -> l.startsWith("mapped ") && l.endsWith("/libonnxruntime.so")),
          "ONNX Runtime's library is loaded from the folder: " + second);
    }

    // A damaged ORT-format copy is deleted, not loaded; the ONNX copy serves and a new one is made.
    byte[] ortBytes = Files.readAllBytes(ort);
    byte[] damagedOrt = ortBytes.clone();
    damagedOrt[damagedOrt.length / 2] ^= 1;
    Files.write(ort, damagedOrt);
    List<String> third = child(MODEL, dir);
    assertEquals(vector, third.get(0), "a damaged ORT-format copy is not used");
    assertFalse(mapped(third, ort), third.toString());
    assertTrue(mapped(third, copy), "the ONNX copy served instead: " + third);
    // ONNX Runtime's serialisation is not byte-for-byte repeatable (the copy made again has
    // differed
    // from the first by a few bytes), so "whole" means: its bytes match the CRC-32 in its name, and
    // the next process loads it and embeds the same vector.
    Path remade = onlyCopy(dir, ".ort");
    assertCrcInName(remade);
    List<String> fromRemade = child(MODEL, dir);
    assertTrue(mapped(fromRemade, remade), "the copy made again is used: " + fromRemade);
    assertEquals(vector, fromRemade.get(0));

    // A damaged ONNX copy, with no ORT-format copy to bypass it: replaced from the jar.
    Files.delete(remade);
    byte[] damaged = original.clone();
    damaged[damaged.length / 2] ^= 1;
    Files.write(copy, damaged);
    List<String> fourth = child(MODEL, dir);
    assertEquals(vector, fourth.get(0), "a damaged copy is not used");
    assertFalse(mapped(fourth, copy), "the damaged copy was dropped, the jar read: " + fourth);
    assertArrayEquals(original, Files.readAllBytes(copy), "and the copy is written again");
    onlyCopy(dir, ".ort");
  }

  /**
   * The ORT-format copy of every bundled graph (fp32, bge-small; the int8 one above) gives exactly
   * the vectors of a session made from the ONNX file at ONNX Runtime's highest optimisation level.
   */
  @Test
  void theOrtFormatCopyOfTheFloatGraphsGivesTheSameVectors(@TempDir Path tmp) throws Exception {
    for (BundledModel model :
        new BundledModel[] {BundledModel.ALL_MINILM_L6_V2, BundledModel.BGE_SMALL_EN_V1_5}) {
      Path dir = tmp.resolve(model.modelName());
      String vector = vectorWithoutTheFolder(model);
      assertEquals(vector, child(model, dir).get(0), model + ", writing the copy");
      Path ort = onlyCopy(dir, ".ort");
      List<String> second = child(model, dir);
      assertTrue(mapped(second, ort), second.toString());
      assertEquals(vector, second.get(0), model + ", from the copy");
    }
  }

  private static String vectorWithoutTheFolder(BundledModel model) throws IOException {
    try (OnnxEmbedder embedder = OnnxEmbedder.open(model.modelName())) {
      return Arrays.toString(embedder.embed(List.of(UnpackedLoad.TEXT), Role.DOCUMENT).get(0));
    }
  }

  private static void assertCrcInName(Path ort) throws IOException {
    String name = ort.getFileName().toString();
    String hex =
        name.substring(name.length() - ".ort".length() - 8, name.length() - ".ort".length());
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(Files.readAllBytes(ort));
    assertEquals(
        Long.parseLong(hex, 16), crc.getValue(), "the bytes of " + ort + " match its name");
  }

  private static Path onlyCopy(Path dir, String extension) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files.filter(p -> p.toString().endsWith(extension)).toList();
      assertEquals(1, found.size(), found.toString());
      return found.get(0);
    }
  }

  private static boolean mapped(List<String> out, Path file) {
    return out.contains("mapped " + file.toAbsolutePath());
  }

  private static boolean isLinuxX64() {
    return System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").equals("amd64");
  }

  private static List<String> child(BundledModel model, Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("-D" + Unpacked.PROPERTY + "=" + dir.toAbsolutePath()),
                    UnpackedLoad.class,
                    model.modelName(),
                    dir.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the child failed: " + out);
    return out.lines().filter(l -> l.startsWith("[") || l.startsWith("mapped ")).toList();
  }
}
