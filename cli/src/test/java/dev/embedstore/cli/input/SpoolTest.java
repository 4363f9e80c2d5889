package dev.embedstore.cli.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embedstore.testing.Seeded;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class SpoolTest {
  static List<Path> spoolFiles() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith(Spool.PREFIX)).toList();
    }
  }

  @Test
  void keepsWhatWasReadThroughItAndReadsItAgain(Random random) throws IOException {
    byte[] bytes = new byte[300_000 + random.nextInt(1000)];
    random.nextBytes(bytes);
    List<Path> before = spoolFiles();
    Spool spool = Spool.create();
    try (spool) {
      InputStream source =
          new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
              return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
            }
          };
      byte[] seen;
      try (InputStream tee = spool.tee(source)) {
        int first = tee.read();
        seen = tee.readAllBytes();
        assertEquals(bytes[0] & 0xFF, first);
      }
      assertArrayEquals(Arrays.copyOfRange(bytes, 1, bytes.length), seen);
      assertEquals(bytes.length, spool.size());
      for (int round = 0; round < 2; round++) {
        try (InputStream again = spool.from(0)) {
          assertArrayEquals(bytes, again.readAllBytes(), "read again, round " + round);
        }
      }
      int at = random.nextInt(bytes.length);
      try (InputStream tail = spool.from(at)) {
        assertArrayEquals(Arrays.copyOfRange(bytes, at, bytes.length), tail.readAllBytes());
      }
      ByteBuffer some = ByteBuffer.allocate(10);
      assertEquals(10, spool.read(some, 5));
      assertArrayEquals(Arrays.copyOfRange(bytes, 5, 15), some.array());
      assertEquals(-1, spool.read(ByteBuffer.allocate(1), bytes.length));
    }
    assertEquals(before, spoolFiles(), "the file is gone");
    spool.close(); // again: nothing
    assertThrows(IllegalStateException.class, () -> spool.read(ByteBuffer.allocate(1), 0));
  }
}
