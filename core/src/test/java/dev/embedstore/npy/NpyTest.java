package dev.embedstore.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips through {@link NpyWriter} and {@link NpyReader}, and files written by NumPy itself.
 * The resources were made with NumPy 2.4:
 *
 * <pre>
 * a = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4
 * a[1, 2] = np.float32(-0.0); a[2, 3] = np.float32(1e-42)
 * np.save('numpy-3x4.npy', a)
 * np.save('numpy-f8.npy', np.zeros((2, 2)))
 * np.save('numpy-fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
 * </pre>
 */
@ExtendWith(Seeded.class)
class NpyTest {
  @TempDir Path dir;

  @Test
  void roundTripIsBitExact(Random random) throws IOException {
    int dim = 1 + random.nextInt(40);
    int rows = random.nextInt(700);
    float[][] data = new float[rows][dim];
    for (float[] row : data) {
      for (int j = 0; j < dim; j++) {
        row[j] = Float.intBitsToFloat(random.nextInt());
      }
    }
    Path file = dir.resolve("v.npy");
    try (NpyWriter w = NpyWriter.create(file, dim)) {
      for (float[] row : data) {
        w.write(row);
      }
      assertEquals(rows, w.rows());
    }
    assertEquals(NpyWriter.HEADER_BYTES + (long) rows * dim * Float.BYTES, Files.size(file));
    try (NpyReader r = NpyReader.open(file)) {
      assertEquals(rows, r.rows());
      assertEquals(dim, r.dimension());
      for (float[] row : data) {
        float[] got = r.next();
        for (int j = 0; j < dim; j++) {
          assertEquals(Float.floatToRawIntBits(row[j]), Float.floatToRawIntBits(got[j]));
        }
      }
      assertNull(r.next());
    }
  }

  @Test
  void headerIsWhatNumpyWrites() {
    var h = NpyWriter.header(12345678901L, 384);
    byte[] b = new byte[h.remaining()];
    h.get(b);
    assertEquals(0, b.length % 64, "numpy aligns the data to 64 bytes");
    String dict = new String(b, 10, b.length - 10, java.nio.charset.StandardCharsets.US_ASCII);
    assertTrue(
        dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (12345678901, 384)"));
    assertTrue(dict.endsWith("\n"));
  }

  @Test
  void readsWhatNumpyWrote() throws IOException {
    try (NpyReader r = NpyReader.open(resource("numpy-3x4.npy"))) {
      assertEquals(3, r.rows());
      assertEquals(4, r.dimension());
      assertArrayEquals(new float[] {-1.375f, -1.125f, -0.875f, -0.625f}, r.next());
      float[] second = r.next();
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(second[2]));
      assertEquals(1e-42f, r.next()[3]);
      assertNull(r.next());
    }
  }

  @Test
  void refusesOtherMatricesByName() throws IOException {
    Path f8 = resource("numpy-f8.npy");
    IOException e = assertThrows(IOException.class, () -> NpyReader.open(f8));
    assertTrue(e.getMessage().contains("<f8") && e.getMessage().contains(f8.toString()));
    e = assertThrows(IOException.class, () -> NpyReader.open(resource("numpy-fortran.npy")));
    assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
    Path text = Files.writeString(dir.resolve("x.npy"), "hello, not numpy");
    e = assertThrows(IOException.class, () -> NpyReader.open(text));
    assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
  }

  @Test
  void aTruncatedFileSaysWhereItEnds() throws IOException {
    Path file = dir.resolve("t.npy");
    try (NpyWriter w = NpyWriter.create(file, 3)) {
      for (int i = 0; i < 10; i++) {
        w.write(new float[] {i, i, i});
      }
    }
    try (var ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(NpyWriter.HEADER_BYTES + 4L * 3 * Float.BYTES + 5);
    }
    try (NpyReader r = NpyReader.open(file)) {
      for (int i = 0; i < 4; i++) {
        r.next();
      }
      IOException e = assertThrows(IOException.class, r::next);
      assertTrue(e.getMessage().contains("after 4 of its 10 rows"), e.getMessage());
    }
  }

  @Test
  void rejectsRowsOfAnotherLength() throws IOException {
    try (NpyWriter w = NpyWriter.create(dir.resolve("d.npy"), 3)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.write(new float[2]));
      assertTrue(e.getMessage().contains("length=2"));
    }
  }

  private Path resource(String name) throws IOException {
    Path out = dir.resolve(name);
    try (InputStream in = NpyTest.class.getResourceAsStream(name)) {
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
    return out;
  }
}
