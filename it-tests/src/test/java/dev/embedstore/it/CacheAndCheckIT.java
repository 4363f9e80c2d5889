package dev.embedstore.it;

import static dev.embedstore.it.CliIT.field;
import static dev.embedstore.it.CliIT.ok;
import static dev.embedstore.it.LauncherIT.embedstore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import dev.embedstore.npy.NpyReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed}, {@code cache stats|export|import|gc} and {@code check}, through the launcher. */
class CacheAndCheckIT {
  @TempDir Path tmp;

  private Path corpus(int n) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("{\"id\": \"r")
          .append(i)
          .append("\", \"text\": \"record ")
          .append(i)
          .append(" is about ")
          .append(i % 2 == 0 ? "sailing boats" : "baking bread")
          .append("\"}\n");
    }
    return Files.writeString(tmp.resolve("corpus.jsonl"), b.toString(), StandardCharsets.UTF_8);
  }

  private static List<float[]> rows(Path npy) throws IOException {
    List<float[]> out = new ArrayList<>();
    try (NpyReader r = NpyReader.open(npy)) {
      for (float[] v = r.next(); v != null; v = r.next()) {
        out.add(v);
      }
    }
    return out;
  }

  @Test
  void embedUsesTheStoresCacheAndWritesNpyOrJsonLines() throws Exception {
    Path store = tmp.resolve("store");
    Path input =
        Files.writeString(
            tmp.resolve("texts.txt"),
            "record 1 is about baking bread\n{\"text\": \"a new sentence\"}\nrecord 1 is about"
                + " baking bread\n");
    ok("index", corpus(4).toString(), "--store", store.toString());
    Path npy = tmp.resolve("v.npy");
    Run run =
        ok("embed", "--in", input.toString(), "--out", npy.toString(), "--store", store.toString());
    assertTrue(run.stdout().contains("1 by the model, 2 from the cache, 0 repeats"), run.stdout());
    List<float[]> v = rows(npy);
    assertEquals(3, v.size());
    assertEquals(384, v.get(0).length);
    assertArrayEquals(v.get(0), v.get(2));

    // The new sentence is now cached: a second run embeds nothing; JSON lines carry the same
    // vectors.
    Path jsonl = tmp.resolve("v.jsonl");
    run =
        ok(
            "embed",
            "--in",
            input.toString(),
            "--out",
            jsonl.toString(),
            "--store",
            store.toString());
    assertTrue(run.stdout().contains("0 by the model, 3 from the cache"), run.stdout());
    String firstLine = Files.readAllLines(jsonl).get(0);
    assertTrue(firstLine.startsWith("{\"vector\":[" + v.get(0)[0] + ","), firstLine);

    // Without a store, the model embeds; the vectors equal the cached ones bit for bit.
    Path plain = tmp.resolve("p.npy");
    ok("embed", "--in", input.toString(), "--out", plain.toString());
    List<float[]> p = rows(plain);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(v.get(i), p.get(i));
    }
    Run bad = embedstore("embed", "--in", input.toString(), "--role", "title");
    assertEquals(2, bad.exitCode(), bad.stderr());
  }

  @Test
  void exportImportAndGcKeepEveryVectorOutOfTheModel() throws Exception {
    Path store = tmp.resolve("store");
    Path input = corpus(30);
    ok("index", input.toString(), "--store", store.toString());
    ok("delete", "r0", "r1", "r2", "--store", store.toString());

    Run stats = ok("cache", "stats", "--store", store.toString(), "--json");
    assertEquals(30, field(stats.stdout(), "cache_entries"));
    assertEquals(30, field(stats.stdout(), "document_vectors"));

    Path npy = tmp.resolve("backup.npy");
    Run export =
        ok("cache", "export", "--store", store.toString(), "--out", npy.toString(), "--json");
    assertEquals(30, field(export.stdout(), "exported"));
    assertTrue(Files.readString(tmp.resolve("backup.keys")).startsWith("# embedstore-keys/1 "));

    Run gc = ok("cache", "gc", "--store", store.toString(), "--json");
    assertEquals(3, field(gc.stdout(), "removed"));
    assertEquals(
        27,
        field(
            ok("cache", "stats", "--store", store.toString(), "--json").stdout(), "cache_entries"));

    // A fresh store restored from the backup indexes the corpus without the model.
    Path restored = tmp.resolve("restored");
    Run imported = ok("cache", "import", npy.toString(), "--store", restored.toString(), "--json");
    assertEquals(30, field(imported.stdout(), "imported"));
    Run index = ok("index", input.toString(), "--store", restored.toString(), "--json");
    assertEquals(0, field(index.stdout(), "embedded"));
    assertEquals(30, field(index.stdout(), "added"));
    assertEquals(0, ok("check", "--store", restored.toString()).exitCode());
  }

  @Test
  void checkNamesTheDamagedFileAndSalvageRecoversTheRest() throws Exception {
    Path store = tmp.resolve("store");
    ok("index", corpus(20).toString(), "--store", store.toString());
    Path second =
        Files.writeString(tmp.resolve("more.jsonl"), "{\"id\": \"m\", \"text\": \"more\"}\n");
    ok("index", second.toString(), "--store", store.toString());
    Run sound = ok("check", "--store", store.toString(), "--json");
    assertTrue(sound.stdout().contains("\"sound\":true"), sound.stdout());
    assertEquals(21, field(sound.stdout(), "chunks"));

    // Damage the larger (first) segment's data in the middle.
    Path victim;
    try (var files = Files.list(store)) {
      victim =
          files
              .filter(f -> f.getFileName().toString().endsWith(".cfs"))
              .max(Comparator.comparingLong(f -> f.toFile().length()))
              .orElseThrow();
    }
    try (FileChannel ch =
        FileChannel.open(victim, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, ch.size() / 2);
      ch.write(ByteBuffer.wrap(new byte[] {(byte) ~b.get(0)}), ch.size() / 2);
    }
    Run damaged = embedstore("check", "--store", store.toString());
    assertEquals(1, damaged.exitCode(), damaged.stderr());
    assertTrue(
        damaged.stderr().contains("error: segment ")
            && damaged.stderr().contains(victim.getFileName().toString()),
        damaged.stderr());

    Path npy = tmp.resolve("salvaged.npy");
    Run salvage =
        ok(
            "cache",
            "export",
            "--salvage",
            "--store",
            store.toString(),
            "--out",
            npy.toString(),
            "--json");
    assertEquals(1, field(salvage.stdout(), "exported"), salvage.stdout());
    assertEquals(1, rows(npy).size());
  }
}
