package dev.embedstore.cli.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.server.input.InputProblem;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonlReader;
import dev.embedstore.store.Document;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.MetadataTypes;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class IndexInputTest {
  @TempDir Path dir;

  /**
   * How {@code index} read its input until it streamed: everything into two maps, a repeated id
   * moved to the end of its map, the store's checks on what was left. The oracle.
   */
  static final class InMemoryRead {
    final Map<String, InputRecord> files = new LinkedHashMap<>();
    final Map<String, InputRecord> records = new LinkedHashMap<>();
    final List<InputProblem> problems = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    long duplicates;
    long binarySkipped;
    long invalidUtf8;

    InMemoryRead(List<String> paths, Path cwd, byte[] stdin) throws IOException {
      for (String p : paths) {
        if (p.equals("-")) {
          readJsonl(new ByteArrayInputStream(stdin), "-");
          continue;
        }
        Path typed = Path.of(p);
        Path resolved = cwd.resolve(p);
        for (Path file : TextFiles.list(List.of(resolved))) {
          readFile(file, typed.resolve(resolved.relativize(file)));
        }
      }
    }

    private void readFile(Path file, Path named) throws IOException {
      if (TextFiles.isJsonl(file)) {
        readJsonl(Files.newInputStream(file), named.toString());
        return;
      }
      switch (TextFiles.read(file)) {
        case TextFiles.Content.Binary b -> binarySkipped++;
        case TextFiles.Content.Text t -> {
          if (t.invalidUtf8()) {
            invalidUtf8++;
            warnings.add("warning: " + named + ": invalid UTF-8 replaced with U+FFFD");
          }
          String id = named.normalize().toString();
          String name = named.getFileName().toString();
          int dot = name.lastIndexOf('.');
          Map<String, Object> meta = new LinkedHashMap<>();
          meta.put("source", "file");
          meta.put("path", id);
          meta.put("ext", dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "");
          put(files, new InputRecord(id, null, t.text(), meta, id));
        }
      }
    }

    private void readJsonl(InputStream stream, String name) throws IOException {
      try (JsonlReader r = new JsonlReader(stream, name)) {
        for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
          switch (line) {
            case JsonlReader.Line.Ok ok -> put(records, ok.record());
            case JsonlReader.Line.Bad bad -> problems.add(bad.problem());
          }
        }
        invalidUtf8 += r.invalidUtf8Lines();
      }
    }

    private void put(Map<String, InputRecord> into, InputRecord r) {
      InputRecord before = into.remove(r.id());
      if (before != null) {
        duplicates++;
        warnings.add(
            "warning: "
                + r.origin()
                + ": id "
                + r.id()
                + " repeats "
                + before.origin()
                + "; the last wins");
      }
      into.put(r.id(), r);
    }

    List<InputProblem> checkStorable(VectorStore store) throws IOException {
      List<InputProblem> refused = new ArrayList<>();
      Map<String, String> known = store.info().metadataTypes();
      Map<String, String> pending = new HashMap<>();
      for (Map<String, InputRecord> map : List.of(files, records)) {
        for (Iterator<InputRecord> it = map.values().iterator(); it.hasNext(); ) {
          InputRecord r = it.next();
          try {
            Document d = document(r);
            store.checkStorable(d);
            MetadataTypes.check(d, known, pending);
          } catch (IllegalArgumentException e) {
            refused.add(new InputProblem(r.origin(), e.getMessage()));
            it.remove();
          }
        }
      }
      return refused;
    }
  }

  static Document document(InputRecord r) {
    return new Document(r.id(), r.text(), r.title(), r.metadata());
  }

  static List<String> describe(Iterable<Document> documents) {
    List<String> out = new ArrayList<>();
    for (Document d : documents) {
      out.add(d.id() + " | " + d.title() + " | " + d.text() + " | " + d.metadata());
    }
    return out;
  }

  static List<String> describeRecords(Iterable<InputRecord> records) {
    List<String> out = new ArrayList<>();
    for (InputRecord r : records) {
      out.add(describe(List.of(document(r))).get(0));
    }
    return out;
  }

  /** Random JSON lines: ids from a small pool (many repeats), metadata, bad lines, blank lines. */
  static String jsonl(Random random, int lines, int ids) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      switch (random.nextInt(12)) {
        case 0 -> sb.append("{\"id\": \"broken\", \"text\": ");
        case 1 -> sb.append("   ");
        case 2 -> sb.append("{\"text\": \"no id\"}");
        default -> {
          sb.append("{\"id\": \"r").append(random.nextInt(ids)).append('"');
          if (random.nextBoolean()) {
            sb.append(", \"title\": \"t").append(random.nextInt(3)).append('"');
          }
          sb.append(", \"text\": \"text ").append(random.nextInt(1_000_000)).append('"');
          switch (random.nextInt(4)) {
            case 0 -> sb.append(", \"metadata\": {\"year\": ").append(2000 + i % 30).append('}');
            case 1 -> sb.append(", \"metadata\": {\"year\": \"MMXX\", \"lang\": \"en\"}");
            case 2 -> sb.append(", \"metadata\": {\"tags\": [\"a\", \"b\"], \"score\": 0.5}");
            default -> {}
          }
          sb.append('}');
        }
      }
      sb.append(random.nextInt(5) == 0 ? "\r\n" : "\n");
    }
    return sb.toString();
  }

  /**
   * Random inputs (JSON lines files, stdin, text files, a folder, repeats within and across them)
   * read by the streaming input and by the in-memory read it replaced: the same warnings, counts,
   * problems and documents, in the same order, also when every id's hash collides.
   */
  @Test
  void readsAsTheInMemoryReadDid(Random random) throws IOException {
    for (int round = 0; round < 12; round++) {
      Path cwd = Files.createDirectories(dir.resolve("round" + round));
      Path notes = cwd.resolve("notes");
      Files.createDirectories(notes.resolve("sub"));
      Files.writeString(notes.resolve("a.md"), "alpha " + random.nextInt());
      Files.writeString(notes.resolve("sub/b.txt"), "beta");
      Files.write(notes.resolve("c.bin"), new byte[] {0, 1, 2});
      Files.write(
          notes.resolve("latin1.txt"),
          ("caf\u00e9 " + "ok ".repeat(100)).getBytes(StandardCharsets.ISO_8859_1));
      Files.writeString(notes.resolve("inner.jsonl"), jsonl(random, 20, 30));
      Files.writeString(cwd.resolve("one.jsonl"), jsonl(random, 1 + random.nextInt(300), 40));
      Files.writeString(cwd.resolve("two.jsonl"), jsonl(random, random.nextInt(300), 40));
      Files.writeString(cwd.resolve("empty.jsonl"), "");
      byte[] stdin = jsonl(random, random.nextInt(300), 40).getBytes(StandardCharsets.UTF_8);
      List<String> paths = new ArrayList<>();
      String[] choices = {"one.jsonl", "two.jsonl", "-", "notes", "notes/a.md", "empty.jsonl"};
      for (int i = 0; i < 2 + random.nextInt(5); i++) {
        paths.add(choices[random.nextInt(choices.length)]);
      }
      if (paths.stream().filter("-"::equals).count() > 1) {
        paths.removeIf("-"::equals); // stdin is read once
        paths.add("-");
      }
      InMemoryRead expected = new InMemoryRead(paths, cwd, stdin);
      boolean collide = random.nextBoolean();
      ByteArrayOutputStream warnings = new ByteArrayOutputStream();
      try (IndexInput in =
          IndexInput.scan(
              paths,
              cwd::resolve,
              new ByteArrayInputStream(stdin),
              new PrintStream(warnings, true, StandardCharsets.UTF_8),
              true,
              collide ? new LastOccurrences(id -> id.length()) : new LastOccurrences())) {
        String what = "round " + round + " " + paths + (collide ? " (colliding hashes)" : "");
        assertEquals(
            expected.warnings, warnings.toString(StandardCharsets.UTF_8).lines().toList(), what);
        assertEquals(expected.problems, in.malformed(), what);
        assertEquals(expected.problems.size(), in.malformedCount(), what);
        assertEquals(expected.duplicates, in.duplicates(), what);
        assertEquals(expected.binarySkipped, in.binarySkipped(), what);
        assertEquals(expected.invalidUtf8, in.invalidUtf8(), what);
        assertEquals(expected.files.keySet(), in.fileIds(), what);
        assertEquals(expected.files.size() + expected.records.size(), in.documents(), what);
        assertEquals(describeRecords(expected.files.values()), describe(in.fileDocuments()), what);
        List<String> records = describeRecords(expected.records.values());
        assertEquals(records, describe(in.recordDocuments()), what);
        assertEquals(records, describe(in.recordDocuments()), what + ", read a second time");
      }
    }
  }

  /**
   * The store's checks see the documents that will be written, in that order: a metadata type clash
   * in a record that a later one replaces is no problem, and the pending types come from the
   * written documents only. Refused records are left out of the documents.
   */
  @Test
  void checksWhatWillBeWrittenInTheOrderItWillBe(Random random) throws IOException {
    for (int round = 0; round < 6; round++) {
      Path cwd = Files.createDirectories(dir.resolve("round" + round));
      Files.writeString(cwd.resolve("one.jsonl"), jsonl(random, 200, 50));
      Files.writeString(
          cwd.resolve("two.jsonl"),
          jsonl(random, 100, 50)
              + "{\"id\": \"long\", \"text\": \"t\", \"metadata\": {\"note\": \""
              + "n".repeat(40_000)
              + "\"}}\n");
      Files.writeString(cwd.resolve("a.txt"), "a text file");
      List<String> paths = List.of("one.jsonl", "a.txt", "two.jsonl");
      try (LuceneVectorStore store =
              LuceneVectorStore.open(cwd.resolve("store"), FakeEmbedder.small());
          IndexInput in =
              IndexInput.scan(
                  paths,
                  cwd::resolve,
                  InputStream.nullInputStream(),
                  new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                  true)) {
        if (round % 2 == 1) {
          // The store already holds a type for year: half the records clash with it.
          store.upsert(
              List.of(
                  new Document(
                      "seed", "x", null, Map.of("year", random.nextBoolean() ? 1999L : "old"))),
              null,
              null);
        }
        InMemoryRead expected = new InMemoryRead(paths, cwd, new byte[0]);
        List<InputProblem> expectedRefused = expected.checkStorable(store);
        List<InputProblem> refused = new ArrayList<>();
        assertEquals(expectedRefused.size(), in.checkStorable(store, refused::add));
        assertEquals(expectedRefused, refused, "round " + round);
        assertTrue(refused.stream().anyMatch(p -> p.message().contains("metadata field note")));
        assertEquals(expected.files.size() + expected.records.size(), in.documents());
        assertEquals(describeRecords(expected.records.values()), describe(in.recordDocuments()));
      }
    }
  }

  @Test
  void aFileChangedBetweenPassesStopsTheRead() throws IOException {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(
        input, "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
    Path text = dir.resolve("t.txt");
    Files.writeString(text, "text");
    try (IndexInput in =
        IndexInput.scan(
            List.of("in.jsonl", "t.txt"),
            dir::resolve,
            InputStream.nullInputStream(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            false)) {
      assertEquals(2, describe(in.recordDocuments()).size());
      Files.writeString(
          input,
          "{\"id\": \"a\", \"text\": \"one, edited\"}\n",
          java.nio.file.StandardOpenOption.APPEND);
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> describe(in.recordDocuments()));
      assertTrue(
          e.getCause().getMessage().startsWith("in.jsonl changed while it was being indexed"),
          e.getCause().getMessage());
      Files.writeString(text, "TEXT");
      Files.setLastModifiedTime(text, FileTime.fromMillis(0));
      e = assertThrows(UncheckedIOException.class, () -> describe(in.fileDocuments()));
      assertTrue(e.getCause().getMessage().startsWith("t.txt changed"), e.getCause().getMessage());
    }
  }
}
