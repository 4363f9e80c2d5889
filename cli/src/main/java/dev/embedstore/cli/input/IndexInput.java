package dev.embedstore.cli.input;

import dev.embedstore.server.input.InputProblem;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonlReader;
import dev.embedstore.store.Document;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.MetadataTypes;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The inputs of one {@code embedstore index}: plain-text files (each one document), JSON lines
 * files and JSON lines on stdin, read as streams so that the heap does not grow with the input.
 *
 * <p>Three passes over the same bytes, each keeping only what the next needs:
 *
 * <ol>
 *   <li>{@link #scan} reads everything once: it reports malformed records, binary files and invalid
 *       UTF-8, warns of repeated ids, and keeps each text file's name and each JSON id's last
 *       position ({@link LastOccurrences}, hashes rather than ids). Stdin is kept in a {@link
 *       Spool} as it is read.
 *   <li>{@link #checkStorable} reads the documents that will be written (the last record of each
 *       id) and asks the store whether it would take them, in the order they will be written, so
 *       that a refusal is known before anything is written.
 *   <li>{@link #fileDocuments} and {@link #recordDocuments} read those documents once more, as the
 *       store's upsert asks for them.
 * </ol>
 *
 * <p>Text files and JSON records are separate: an id repeats only among files or among records, and
 * files are written first, as the command always did. A file that changes between passes (its size
 * or modification time) stops the command with an {@link IOException} naming it, rather than index
 * what the checks did not see.
 *
 * <p>The input owns its spool and deletes it on {@link #close}. Not thread-safe.
 *
 * <p>Longer than this project's classes usually are (about 650 lines): the three passes must agree
 * record for record on the same bookkeeping (names, positions, what was refused), which one class
 * keeps in one place; the pieces that stand alone are classes of their own ({@link
 * LastOccurrences}, {@link Spool}, {@link TextFiles}).
 */
public final class IndexInput implements Closeable {
  /** A plain-text file: one document, read again in later passes. */
  private record TextFile(Path file, Path named, String id, Stamp stamp) {}

  /** A JSON lines input: a file, or stdin kept in a spool; its records' positions start at base. */
  private record JsonlSource(
      String name, Path file, Spool spool, long base, long size, Stamp stamp) {
    InputStream open() throws IOException {
      if (spool != null) {
        return spool.from(0);
      }
      stamp.check(file, name);
      return Files.newInputStream(file);
    }
  }

  /** A file's size and modification time when it was first read. */
  private record Stamp(long size, FileTime modified) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.size(), a.lastModifiedTime());
    }

    void check(Path file, String name) throws IOException {
      Stamp now;
      try {
        now = of(file);
      } catch (NoSuchFileException e) {
        now = null;
      }
      if (!equals(now)) {
        throw new IOException(
            name
                + " changed while it was being indexed (it is read once to check it, then again to"
                + " index it); run the command again");
      }
    }
  }

  private final PrintStream warnings;
  private final boolean keepProblems;
  private final List<Path> folders = new ArrayList<>();
  private final Map<String, TextFile> files = new LinkedHashMap<>();
  private final List<JsonlSource> sources = new ArrayList<>();
  private final LastOccurrences last;
  private final List<InputProblem> malformed = new ArrayList<>();

  /** The record readers opened by {@link #recordDocuments}: an upsert may stop before the end. */
  private final List<Records> opened = new ArrayList<>();

  private long[] refused = new long[16];
  private int refusedCount;
  private long nextBase;
  private InputProblem firstMalformed;
  private long malformedCount;
  private long duplicates;
  private long binarySkipped;
  private long invalidUtf8;

  private IndexInput(PrintStream warnings, boolean keepProblems, LastOccurrences last) {
    this.warnings = warnings;
    this.keepProblems = keepProblems;
    this.last = last;
  }

  /**
   * Reads every input once (pass 1); nothing is written. Folders are walked ({@link TextFiles}),
   * {@code .jsonl} files read as JSON lines, other files as text, {@code -} is JSON lines on stdin.
   * A file's document id is its path as typed (relative stays relative), whatever {@code resolve}
   * makes of it to open it.
   *
   * @param paths the paths as typed
   * @param resolve makes a typed path the absolute one to open
   * @param stdin standard input, read for {@code -}
   * @param warnings where warnings go (repeated ids, invalid UTF-8)
   * @param keepProblems whether to keep every malformed record's problem ({@link #malformed}), or
   *     only the first and the count
   * @return the input, to close
   * @throws IOException if an input cannot be read, or does not exist
   */
  public static IndexInput scan(
      List<String> paths,
      Function<String, Path> resolve,
      InputStream stdin,
      PrintStream warnings,
      boolean keepProblems)
      throws IOException {
    return scan(paths, resolve, stdin, warnings, keepProblems, new LastOccurrences());
  }

  /**
   * {@link #scan}, with a table of ids of the test's choosing (one that forces hash collisions).
   */
  static IndexInput scan(
      List<String> paths,
      Function<String, Path> resolve,
      InputStream stdin,
      PrintStream warnings,
      boolean keepProblems,
      LastOccurrences last)
      throws IOException {
    IndexInput in = new IndexInput(warnings, keepProblems, last);
    boolean success = false;
    try {
      for (String p : paths) {
        if (p.equals("-")) {
          Spool spool = Spool.create();
          try {
            in.scanJsonl(spool.tee(stdin), "-", null, spool, null);
          } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
          }
          continue;
        }
        Path typed = Path.of(p);
        Path resolved = resolve.apply(p);
        if (!Files.exists(resolved)) {
          throw new NoSuchFileException(p);
        }
        if (Files.isDirectory(resolved)) {
          in.folders.add(typed);
        }
        for (Path file : TextFiles.list(List.of(resolved))) {
          in.scanFile(file, typed.resolve(resolved.relativize(file)));
        }
      }
      success = true;
      return in;
    } finally {
      if (!success) {
        in.close();
      }
    }
  }

  /** Reads one file ({@code file}, absolute) under the name the user gave it ({@code named}). */
  private void scanFile(Path file, Path named) throws IOException {
    Stamp stamp = Stamp.of(file);
    if (TextFiles.isJsonl(file)) {
      scanJsonl(Files.newInputStream(file), named.toString(), file, null, stamp);
      stamp.check(file, named.toString());
      return;
    }
    switch (TextFiles.read(file)) {
      case TextFiles.Content.Binary b -> binarySkipped++;
      case TextFiles.Content.Text t -> {
        if (t.invalidUtf8()) {
          invalidUtf8++;
          warnings.println("warning: " + named + ": invalid UTF-8 replaced with U+FFFD");
        }
        String id = named.normalize().toString();
        TextFile before = files.remove(id);
        if (before != null) {
          warnRepeat(id, id, id);
        }
        files.put(id, new TextFile(file, named, id, stamp));
      }
    }
  }

  private void scanJsonl(InputStream stream, String name, Path file, Spool spool, Stamp stamp)
      throws IOException {
    long base = nextBase;
    JsonlSource source = new JsonlSource(name, file, spool, base, -1, stamp);
    sources.add(source); // before reading: a repeat within it reads the source again
    long size;
    try (JsonlReader r = new JsonlReader(stream, name)) {
      for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
        switch (line) {
          case JsonlReader.Line.Ok ok -> {
            InputRecord record = ok.record();
            LastOccurrences.Previous before =
                last.put(record.id(), base + r.lineOffset(), r.lines(), this::idAt);
            if (before != null) {
              warnRepeat(record.origin(), record.id(), originOf(before));
            }
          }
          case JsonlReader.Line.Bad bad -> addMalformed(bad.problem());
        }
      }
      invalidUtf8 += r.invalidUtf8Lines();
      size = spool != null ? spool.size() : stamp.size();
    }
    sources.set(sources.size() - 1, new JsonlSource(name, file, spool, base, size, stamp));
    nextBase = base + size;
  }

  private void warnRepeat(String origin, String id, String earlier) {
    duplicates++;
    warnings.println(
        "warning: " + origin + ": id " + id + " repeats " + earlier + "; the last wins");
  }

  private void addMalformed(InputProblem p) {
    if (firstMalformed == null) {
      firstMalformed = p;
    }
    malformedCount++;
    if (keepProblems) {
      malformed.add(p);
    }
  }

  private String originOf(LastOccurrences.Previous p) {
    return sourceAt(p.position()).name() + ":" + p.line();
  }

  /** The source that holds a position: the last one starting at or before it. */
  private JsonlSource sourceAt(long position) {
    int lo = 0;
    int hi = sources.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (sources.get(mid).base() <= position) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return sources.get(lo);
  }

  /** Reads the id of the record at a position again (a hash matched: the same id, or not). */
  private String idAt(long position) throws IOException {
    JsonlSource source = sourceAt(position);
    long at = position - source.base();
    byte[] line = new byte[256];
    int length = 0;
    FileChannel channel = source.spool() == null ? FileChannel.open(source.file()) : null;
    try {
      while (true) {
        if (length == line.length) {
          line = Arrays.copyOf(line, line.length * 2);
        }
        ByteBuffer into = ByteBuffer.wrap(line, length, line.length - length);
        int n =
            channel == null
                ? source.spool().read(into, at + length)
                : channel.read(into, at + length);
        int end = n < 0 ? length : length + n;
        for (int i = length; i < end; i++) {
          if (line[i] == '\n') {
            end = i;
            n = -1;
            break;
          }
        }
        length = end;
        if (n < 0) {
          break;
        }
      }
    } finally {
      if (channel != null) {
        channel.close();
      }
    }
    if (JsonlReader.readLine(line, 0, length, source.name()) instanceof JsonlReader.Line.Ok ok) {
      return ok.record().id();
    }
    throw new IOException(source.name() + " changed while it was being read");
  }

  /**
   * Asks the store whether it would take each document that will be written (pass 2): an id or
   * metadata value too long for it, a metadata field whose type differs from the store's or an
   * earlier document's. A refused file is dropped from the files; a refused record is skipped when
   * the records are read again.
   *
   * @param store the store
   * @param refusals told of each refused document, in the order they would be written
   * @return the number refused
   * @throws IOException if an input cannot be read again, or changed
   */
  public long checkStorable(VectorStore store, Consumer<InputProblem> refusals) throws IOException {
    Map<String, String> known = store.info().metadataTypes();
    Map<String, String> pending = new HashMap<>();
    long count = 0;
    for (Iterator<TextFile> it = files.values().iterator(); it.hasNext(); ) {
      TextFile f = it.next();
      String problem = refusal(store, fileDocument(f), known, pending);
      if (problem != null) {
        refusals.accept(new InputProblem(f.id(), problem));
        it.remove();
        count++;
      }
    }
    refusedCount = 0;
    try (Records records = new Records(false)) {
      for (InputRecord r = records.next(); r != null; r = records.next()) {
        String problem = refusal(store, document(r), known, pending);
        if (problem != null) {
          refusals.accept(new InputProblem(r.origin(), problem));
          if (refusedCount == refused.length) {
            refused = Arrays.copyOf(refused, refused.length * 2);
          }
          refused[refusedCount++] = records.position;
          count++;
        }
      }
    }
    return count;
  }

  private static String refusal(
      VectorStore store, Document d, Map<String, String> known, Map<String, String> pending) {
    try {
      store.checkStorable(d);
      MetadataTypes.check(d, known, pending);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * The text files' documents, read again as the upsert iterates; each file its own document with
   * metadata {@code source=file}, {@code path} and {@code ext}. An IO failure or a changed file is
   * thrown as an {@link UncheckedIOException}.
   *
   * @return the documents, in the order the files were given; each call reads them afresh
   */
  public Iterable<Document> fileDocuments() {
    return () ->
        new Iterator<>() {
          private final Iterator<TextFile> it = files.values().iterator();

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Document next() {
            try {
              return fileDocument(it.next());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
  }

  private static Document fileDocument(TextFile f) throws IOException {
    f.stamp().check(f.file(), f.id());
    if (!(TextFiles.read(f.file()) instanceof TextFiles.Content.Text t)) {
      throw new IOException(f.id() + " changed while it was being indexed; run the command again");
    }
    String name = f.named().getFileName().toString();
    int dot = name.lastIndexOf('.');
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("source", "file");
    meta.put("path", f.id());
    meta.put("ext", dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "");
    return new Document(f.id(), t.text(), null, meta);
  }

  /**
   * The JSON records' documents, read again as the upsert iterates: the last record of each id, in
   * the order of those records, without the malformed and refused ones. An IO failure or a changed
   * file is thrown as an {@link UncheckedIOException}.
   *
   * @return the documents; each call reads them afresh
   */
  public Iterable<Document> recordDocuments() {
    return () ->
        new Iterator<>() {
          private final Records records = open(new Records(true));
          private InputRecord next;

          @Override
          public boolean hasNext() {
            if (next == null) {
              try {
                next = records.next();
                if (next == null) {
                  records.close();
                }
              } catch (IOException e) {
                closeQuietly(e);
                throw new UncheckedIOException(e);
              }
            }
            return next != null;
          }

          @Override
          public Document next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            InputRecord r = next;
            next = null;
            return document(r);
          }

          private void closeQuietly(IOException failure) {
            try {
              records.close();
            } catch (IOException e) {
              failure.addSuppressed(e);
            }
          }
        };
  }

  private Records open(Records records) {
    opened.add(records);
    return records;
  }

  private static Document document(InputRecord r) {
    return new Document(r.id(), r.text(), r.title(), r.metadata());
  }

  /** Reads the JSON sources again, giving the last record of each id, in order. */
  private final class Records implements Closeable {
    private final boolean skipRefused;
    private int sourceIndex = -1;
    private JsonlSource source;
    private JsonlReader reader;
    private int refusedAt;

    /** The position of the record {@link #next} returned. */
    long position;

    Records(boolean skipRefused) {
      this.skipRefused = skipRefused;
    }

    /** The next record that will be written, or null after the last. */
    InputRecord next() throws IOException {
      while (true) {
        if (reader == null) {
          if (sourceIndex + 1 == sources.size()) {
            return null;
          }
          source = sources.get(++sourceIndex);
          reader = new JsonlReader(source.open(), source.name());
        }
        JsonlReader.Line line = reader.next();
        if (line == null) {
          reader.close();
          reader = null;
          if (source.file() != null) {
            source.stamp().check(source.file(), source.name());
          }
          continue;
        }
        if (!(line instanceof JsonlReader.Line.Ok ok)) {
          continue; // malformed: reported by the scan
        }
        long at = source.base() + reader.lineOffset();
        if (!last.isLast(ok.record().id(), at)) {
          continue; // a later record of the id wins
        }
        if (skipRefused) {
          while (refusedAt < refusedCount && refused[refusedAt] < at) {
            refusedAt++;
          }
          if (refusedAt < refusedCount && refused[refusedAt] == at) {
            continue;
          }
        }
        position = at;
        return ok.record();
      }
    }

    @Override
    public void close() throws IOException {
      if (reader != null) {
        reader.close();
        reader = null;
      }
      sourceIndex = sources.size() - 1;
    }
  }

  /**
   * The number of documents that will be written: files and distinct record ids, less those
   * refused.
   *
   * @return the count
   */
  public long documents() {
    return files.size() + (long) last.size() - refusedCount;
  }

  /**
   * The text files' document ids, in order (refused ones dropped).
   *
   * @return the ids, read-only
   */
  public Set<String> fileIds() {
    return Collections.unmodifiableSet(files.keySet());
  }

  /**
   * The folders given, as typed.
   *
   * @return the folders
   */
  public List<Path> folders() {
    return Collections.unmodifiableList(folders);
  }

  /**
   * The malformed records' problems, in input order; only when kept ({@code keepProblems}).
   *
   * @return the problems
   */
  public List<InputProblem> malformed() {
    return Collections.unmodifiableList(malformed);
  }

  /**
   * The first malformed record's problem.
   *
   * @return the problem, or null when there is none
   */
  public InputProblem firstMalformed() {
    return firstMalformed;
  }

  /**
   * The number of malformed records.
   *
   * @return the count
   */
  public long malformedCount() {
    return malformedCount;
  }

  /**
   * The number of records and files that repeated an earlier one's id.
   *
   * @return the count
   */
  public long duplicates() {
    return duplicates;
  }

  /**
   * The number of binary files skipped.
   *
   * @return the count
   */
  public long binarySkipped() {
    return binarySkipped;
  }

  /**
   * The number of text files and JSON lines with invalid UTF-8 (replaced with U+FFFD).
   *
   * @return the count
   */
  public long invalidUtf8() {
    return invalidUtf8;
  }

  /** Closes what reading opened and deletes the stdin spools; closing again does nothing. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (Records r : opened) {
      try {
        r.close();
      } catch (IOException e) {
        failure = chain(failure, e);
      }
    }
    opened.clear();
    for (JsonlSource s : sources) {
      if (s.spool() != null) {
        try {
          s.spool().close();
        } catch (IOException e) {
          failure = chain(failure, e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static IOException chain(IOException first, IOException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
