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
    float[] expected;
    try (OnnxEmbedder model = OnnxEmbedder.open(MODEL.modelName())) {
      expected = model.embed(List.of(UnpackedLoad.TEXT), Role.DOCUMENT).get(0);
    }
    String vector = Arrays.toString(expected);

    List<String> first = child(dir);
    assertEquals(vector, first.get(0), "the first process embeds as one without the folder");
    Path copy = onlyModelCopy(dir);
    byte[] original;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(MODEL.onnxResource())) {
      original = in.readAllBytes();
    }
    assertArrayEquals(original, Files.readAllBytes(copy), "the copy is the jar's ONNX file");
    assertFalse(mapped(first, copy), "the first process read the model from the jar: " + first);

    List<String> second = child(dir);
    assertEquals(vector, second.get(0));
    assertTrue(mapped(second, copy), "the second process maps the copy: " + second);
    if (isLinuxX64()) {
      assertTrue(
          second.stream()
              .anyMatch(l -> l.startsWith("mapped ") && l.endsWith("/libonnxruntime.so")),
          "ONNX Runtime's library is loaded from the folder: " + second);
    }

    byte[] damaged = original.clone();
    damaged[damaged.length / 2] ^= 1;
    Files.write(copy, damaged);
    List<String> third = child(dir);
    assertEquals(vector, third.get(0), "a damaged copy is not used");
    assertFalse(mapped(third, copy), "the damaged copy was dropped, the jar read: " + third);
    assertArrayEquals(original, Files.readAllBytes(copy), "and the copy is written again");
  }

  private static Path onlyModelCopy(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> onnx = files.filter(p -> p.toString().endsWith(".onnx")).toList();
      assertEquals(1, onnx.size(), onnx.toString());
      return onnx.get(0);
    }
  }

  private static boolean mapped(List<String> out, Path file) {
    return out.contains("mapped " + file.toAbsolutePath());
  }

  private static boolean isLinuxX64() {
    return System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").equals("amd64");
  }

  private static List<String> child(Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("-D" + Unpacked.PROPERTY + "=" + dir.toAbsolutePath()),
                    UnpackedLoad.class,
                    MODEL.modelName(),
                    dir.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the child failed: " + out);
    return out.lines().filter(l -> l.startsWith("[") || l.startsWith("mapped ")).toList();
  }
}
