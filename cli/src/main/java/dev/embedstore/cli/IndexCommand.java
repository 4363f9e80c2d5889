package dev.embedstore.cli;

import dev.embedstore.cli.input.TextFiles;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.input.InputProblem;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonlReader;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.MetadataTypes;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code embedstore index}: adds files, folders and JSON lines to a store, embedding only what is
 * new.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "Index files, folders (recursively) and .jsonl files into a store.",
      "Re-indexing unchanged input embeds nothing; an edited file re-embeds only its changed chunks."
    })
final class IndexCommand implements Callable<Integer> {
  /** Overlap between consecutive chunks of a file, in tokens. */
  static final int OVERLAP_TOKENS = 32;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Files, folders, .jsonl, or - for JSON lines on stdin.")
  List<String> paths;

  @Mixin StoreOptions store;

  @Option(names = "--json", description = "Print one JSON object with the counts on stdout.")
  boolean json;

  @Option(
      names = "--chunk-tokens",
      paramLabel = "N",
      description =
          "Split JSONL records into chunks of at most N tokens (default: one vector each).")
  Integer chunkTokens;

  @Option(
      names = "--sync",
      description = "Also delete documents of files that are gone from the given folders.")
  boolean sync;

  @Option(
      names = "--on-error",
      paramLabel = "fail|skip",
      defaultValue = "fail",
      description =
          "On a bad record: fail (default; nothing of the input is indexed) or skip it and count it.")
  String onError;

  @Option(
      names = "--commit-interval",
      paramLabel = "N",
      description =
          "Commit after every N texts the model embeds (default 1024): a crash or kill loses at most"
              + " that much model work.")
  Integer commitInterval;

  /** What reading the inputs gave. */
  static final class Inputs {
    final Map<String, InputRecord> files = new LinkedHashMap<>();
    final Map<String, InputRecord> records = new LinkedHashMap<>();
    final List<InputProblem> problems = new ArrayList<>();
    final List<Path> folders = new ArrayList<>();
    long duplicates;
    long binarySkipped;
    long invalidUtf8;
  }

  @Override
  public Integer call() throws Exception {
    if (!onError.equals("fail") && !onError.equals("skip")) {
      throw CliException.usage("--on-error takes fail or skip, not " + onError);
    }
    if (chunkTokens != null && chunkTokens < 8) {
      throw CliException.usage("--chunk-tokens must be at least 8; got " + chunkTokens);
    }
    if (commitInterval != null && commitInterval < 1) {
      throw CliException.usage("--commit-interval must be at least 1; got " + commitInterval);
    }
    Inputs in = read(paths);
    failOnProblems(in); // malformed input: refused before the store is opened
    try (OnnxEmbedder model = store.openModel();
        VectorStore s = store.open(model, false, commitInterval)) {
      checkStorable(in, s);
      failOnProblems(in); // records the store would refuse: refused before anything is written
      for (InputProblem p : in.problems) {
        Terminal.err().println("skipped: " + p);
      }
      Summary summary = index(s, model, in, chunkTokens);
      long deleted = 0;
      if (sync) {
        deleted = syncDeleted(s, in);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("documents", summary.result.documents());
      out.put("added", summary.result.added());
      out.put("updated", summary.result.updated());
      out.put("unchanged", summary.result.unchanged());
      out.put("deleted", deleted);
      out.put("chunks", summary.result.chunks());
      out.put("embedded", summary.result.embedded());
      out.put("cache_hits", summary.result.cacheHits());
      out.put("truncated", summary.truncated);
      out.put("errors", (long) in.problems.size());
      out.put("duplicates", in.duplicates);
      out.put("binary_skipped", in.binarySkipped);
      out.put("invalid_utf8", in.invalidUtf8);
      out.put("seconds", summary.result.nanos() / 1e9);
      if (json) {
        Json.writeLine(Terminal.out(), out);
      } else {
        Terminal.out()
            .printf(
                Locale.ROOT,
                "indexed %d documents into %s: %d added, %d updated, %d unchanged, %d deleted;"
                    + " %d texts embedded, %d from the cache, %d truncated, %d errors (%.1f s)%n",
                summary.result.documents(),
                store.describe(),
                summary.result.added(),
                summary.result.updated(),
                summary.result.unchanged(),
                deleted,
                summary.result.embedded(),
                summary.result.cacheHits(),
                summary.truncated,
                in.problems.size(),
                summary.result.nanos() / 1e9);
      }
    }
    return 0;
  }

  private void failOnProblems(Inputs in) throws CliException {
    if (in.problems.isEmpty() || !onError.equals("fail")) {
      return;
    }
    InputProblem first = in.problems.get(0);
    throw new CliException(
        first
            + (in.problems.size() > 1
                ? " (and "
                    + (in.problems.size() - 1)
                    + (in.problems.size() == 2 ? " more problem)" : " more problems)")
                : "")
            + "; nothing was indexed. Fix the input, or pass --on-error skip to index the valid records");
  }

  record Summary(UpsertResult result, long truncated) {}

  /** How files are split into chunks: by tokens, with an overlap. */
  static TextSplitter fileSplitter(OnnxEmbedder model) {
    return TextSplitter.of(
        model.tokenCounter(), Math.min(model.maxTextTokens(), 256), OVERLAP_TOKENS);
  }

  /** How JSON records are split: not at all, unless {@code --chunk-tokens} is given. */
  static TextSplitter recordSplitter(OnnxEmbedder model, Integer chunkTokens) {
    return chunkTokens == null
        ? null
        : TextSplitter.of(
            model.tokenCounter(), Math.min(model.maxTextTokens(), chunkTokens), chunkTokens / 8);
  }

  /** The documents {@code index} made from files (the rest came from JSON records). */
  static final Filter FROM_FILES = Filter.eq("source", "file");

  /**
   * Upserts what was read: files chunked by tokens, records whole unless chunkTokens is set. The
   * model is not run (nor its tokenizer loaded) for records whose vectors are cached.
   */
  static Summary index(VectorStore s, OnnxEmbedder model, Inputs in, Integer chunkTokens)
      throws IOException {
    TextSplitter fileSplitter = fileSplitter(model);
    TextSplitter recordSplitter = recordSplitter(model, chunkTokens);
    long total = in.files.size() + in.records.size();
    try (Progress progress = new Progress("indexing", total)) {
      UpsertResult a =
          s.upsert(
              documents(in.files.values()), fileSplitter, (d, e, h) -> progress.update(d, e, h));
      long done = a.documents();
      UpsertResult b =
          s.upsert(
              documents(in.records.values()),
              recordSplitter,
              (d, e, h) -> progress.update(done + d, a.embedded() + e, a.cacheHits() + h));
      UpsertResult both = a.plus(b);
      return new Summary(both, both.truncated());
    }
  }

  private static List<Document> documents(Iterable<InputRecord> records) {
    List<Document> out = new ArrayList<>();
    for (InputRecord r : records) {
      out.add(new Document(r.id(), r.text(), r.title(), r.metadata()));
    }
    return out;
  }

  /**
   * Reads every input; nothing is written yet. Files are read through their paths resolved against
   * the working folder ({@link Terminal#path}), but named as typed: a file's document id is its
   * path as given on the command line (relative stays relative), whichever JVM runs the command.
   */
  static Inputs read(List<String> paths) throws IOException {
    Inputs in = new Inputs();
    for (String p : paths) {
      if (p.equals("-")) {
        readJsonl(Terminal.in(), "-", in);
        continue;
      }
      Path typed = Path.of(p);
      Path resolved = Terminal.path(p);
      if (!Files.exists(resolved)) {
        throw new java.nio.file.NoSuchFileException(p);
      }
      if (Files.isDirectory(resolved)) {
        in.folders.add(typed);
      }
      for (Path file : TextFiles.list(List.of(resolved))) {
        readFile(file, typed.resolve(resolved.relativize(file)), in);
      }
    }
    return in;
  }

  /** Reads one file ({@code file}, absolute) under the name the user gave it ({@code named}). */
  private static void readFile(Path file, Path named, Inputs in) throws IOException {
    if (TextFiles.isJsonl(file)) {
      readJsonl(Files.newInputStream(file), named.toString(), in);
      return;
    }
    switch (TextFiles.read(file)) {
      case TextFiles.Content.Binary b -> in.binarySkipped++;
      case TextFiles.Content.Text t -> {
        if (t.invalidUtf8()) {
          in.invalidUtf8++;
          Terminal.err().println("warning: " + named + ": invalid UTF-8 replaced with U+FFFD");
        }
        String id = named.normalize().toString();
        String name = named.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("source", "file");
        meta.put("path", id);
        meta.put("ext", dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "");
        put(in.files, new InputRecord(id, null, t.text(), meta, id), in);
      }
    }
  }

  private static void readJsonl(InputStream stream, String name, Inputs in) throws IOException {
    try (JsonlReader r = new JsonlReader(stream, name)) {
      for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
        switch (line) {
          case JsonlReader.Line.Ok ok -> put(in.records, ok.record(), in);
          case JsonlReader.Line.Bad bad -> in.problems.add(bad.problem());
        }
      }
      in.invalidUtf8 += r.invalidUtf8Lines();
    }
  }

  private static void put(Map<String, InputRecord> into, InputRecord r, Inputs in) {
    InputRecord before = into.remove(r.id());
    if (before != null) {
      in.duplicates++;
      Terminal.err()
          .println(
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

  /**
   * Moves records the store would refuse (an id or metadata value too long for the store, a
   * metadata field whose type differs from the store's or an earlier record's) to the problems, so
   * that {@code --on-error} decides before anything is written.
   */
  static void checkStorable(Inputs in, VectorStore store) throws IOException {
    Map<String, String> known = store.info().metadataTypes();
    Map<String, String> pending = new HashMap<>();
    for (Map<String, InputRecord> records : List.of(in.files, in.records)) {
      for (Iterator<InputRecord> it = records.values().iterator(); it.hasNext(); ) {
        InputRecord r = it.next();
        try {
          Document d = new Document(r.id(), r.text(), r.title(), r.metadata());
          store.checkStorable(d);
          MetadataTypes.check(d, known, pending);
        } catch (IllegalArgumentException e) {
          in.problems.add(new InputProblem(r.origin(), e.getMessage()));
          it.remove();
        }
      }
    }
  }

  /** Deletes stored file documents under the given folders whose files were not seen now. */
  private static long syncDeleted(VectorStore s, Inputs in) throws IOException {
    Set<String> seen = new HashSet<>(in.files.keySet());
    List<String> gone = new ArrayList<>();
    try (Stream<String> ids = s.ids(FROM_FILES)) {
      for (String id : (Iterable<String>) ids::iterator) {
        if (seen.contains(id)) {
          continue;
        }
        for (Path folder : in.folders) {
          if (Path.of(id).startsWith(folder.normalize())) {
            gone.add(id);
            break;
          }
        }
      }
    }
    return gone.isEmpty() ? 0 : s.delete(gone);
  }
}
