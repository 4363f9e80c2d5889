package dev.embedstore.cli;

import dev.embedstore.cli.input.IndexInput;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.input.InputProblem;
import dev.embedstore.store.Filter;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
    boolean skip = onError.equals("skip");
    try (IndexInput in = read(paths, skip)) {
      if (!skip) {
        // malformed input: refused before the store is opened
        failOnProblems(in.firstMalformed(), in.malformedCount());
      }
      try (OnnxEmbedder model = store.openModel();
          VectorStore s = store.open(model, false, commitInterval)) {
        // With --on-error skip: the malformed records in input order, then the store's refusals in
        // the order the documents would be written (files first), as the command always printed.
        for (InputProblem p : in.malformed()) {
          Terminal.err().println("skipped: " + p);
        }
        InputProblem[] firstRefused = new InputProblem[1];
        long refused =
            in.checkStorable(
                s,
                p -> {
                  if (skip) {
                    Terminal.err().println("skipped: " + p);
                  } else if (firstRefused[0] == null) {
                    firstRefused[0] = p;
                  }
                });
        if (!skip) {
          // records the store would refuse: refused before anything is written
          failOnProblems(firstRefused[0], refused);
        }
        long errors = in.malformedCount() + refused;
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
        out.put("errors", errors);
        out.put("duplicates", in.duplicates());
        out.put("binary_skipped", in.binarySkipped());
        out.put("invalid_utf8", in.invalidUtf8());
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
                  errors,
                  summary.result.nanos() / 1e9);
        }
      }
    }
    return 0;
  }

  /** Fails, naming the first problem and counting the rest, when there is any. */
  private static void failOnProblems(InputProblem first, long count) throws CliException {
    if (count == 0) {
      return;
    }
    throw new CliException(
        first
            + (count > 1
                ? " (and " + (count - 1) + (count == 2 ? " more problem)" : " more problems)")
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
   * Upserts what was read: files chunked by tokens, records whole unless chunkTokens is set, each
   * read again as the store asks for the next batch. The model is not run (nor its tokenizer
   * loaded) for records whose vectors are cached.
   */
  static Summary index(VectorStore s, OnnxEmbedder model, IndexInput in, Integer chunkTokens)
      throws IOException {
    TextSplitter fileSplitter = fileSplitter(model);
    TextSplitter recordSplitter = recordSplitter(model, chunkTokens);
    try (Progress progress = new Progress("indexing", in.documents())) {
      UpsertResult a =
          s.upsert(in.fileDocuments(), fileSplitter, (d, e, h) -> progress.update(d, e, h));
      long done = a.documents();
      UpsertResult b =
          s.upsert(
              in.recordDocuments(),
              recordSplitter,
              (d, e, h) -> progress.update(done + d, a.embedded() + e, a.cacheHits() + h));
      UpsertResult both = a.plus(b);
      return new Summary(both, both.truncated());
    }
  }

  /**
   * Reads every input once (nothing is written yet), keeping of each document only what reading it
   * again needs ({@link IndexInput}). Files are opened through their paths resolved against the
   * working folder ({@link Terminal#path}), but named as typed: a file's document id is its path as
   * given on the command line (relative stays relative), whichever JVM runs the command.
   *
   * @param paths the paths as typed
   * @param keepProblems whether to keep every malformed record's problem (to print them all), or
   *     only the first and the count
   */
  static IndexInput read(List<String> paths, boolean keepProblems) throws IOException {
    return IndexInput.scan(paths, Terminal::path, Terminal.in(), Terminal.err(), keepProblems);
  }

  /** Deletes stored file documents under the given folders whose files were not seen now. */
  private static long syncDeleted(VectorStore s, IndexInput in) throws IOException {
    Set<String> seen = in.fileIds();
    List<String> gone = new ArrayList<>();
    try (Stream<String> ids = s.ids(FROM_FILES)) {
      for (String id : (Iterable<String>) ids::iterator) {
        if (seen.contains(id)) {
          continue;
        }
        for (Path folder : in.folders()) {
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
