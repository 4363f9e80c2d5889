package dev.embedstore.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.InMemoryEmbeddingCache;
import dev.embedstore.embed.Role;
import dev.embedstore.npy.NpyWriter;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.VectorStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedstore embed}: texts in, vectors out, through a store's cache when one is given (so
 * texts it has seen cost nothing, and new vectors are kept there).
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Embed texts to .npy or JSON lines, via a store's cache with --store.",
      "Input: one text per line, or JSON lines with a \"text\" field. Vectors come out in input"
          + " order: a .npy file (float32 [n, dim]) or JSON lines {\"vector\": [...]} to stdout or"
          + " a file. With --store, texts the store has seen cost nothing and new vectors are kept.",
    })
final class EmbedCommand implements Callable<Integer> {
  private static final int BATCH = 256;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  @Option(names = "--in", paramLabel = "FILE|-", description = "The input (default: - for stdin).")
  String in = "-";

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "FILE.npy for a float32 matrix, any other name for JSON lines (default: stdout).")
  Path out;

  @Option(
      names = "--role",
      paramLabel = "document|query",
      description = "Embed as documents (default) or as queries (some models add a query prefix).")
  String role = "document";

  @Option(
      names = "--model",
      paramLabel = "NAME|DIR",
      description =
          "A bundled model (all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5) or a model"
              + " folder. Default: the store's model, or all-minilm-l6-v2-q.")
  String model;

  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "Use this store's embedding cache (the store is created if it does not exist).")
  Path store;

  @Option(
      names = "--solr",
      paramLabel = "URL[,URL...]",
      split = ",",
      description = "Use the cache of a store in a SolrCloud cluster instead (with --collection).")
  List<String> solr;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "With --solr: the collection that holds the store.")
  String collection;

  @Override
  public Integer call() throws Exception {
    Role r =
        switch (role.toLowerCase(Locale.ROOT)) {
          case "document", "doc", "d" -> Role.DOCUMENT;
          case "query", "q" -> Role.QUERY;
          default -> throw CliException.usage("--role must be document or query; got " + role);
        };
    StoreOptions options = new StoreOptions();
    options.store = store;
    options.solr = solr;
    options.collection = collection;
    options.model = model;
    boolean viaStore = store != null || solr != null || collection != null;
    if (viaStore) {
      options.validate();
    }
    long t0 = System.nanoTime();
    long[] counts = new long[3]; // texts, embedded, from cache
    try (OnnxEmbedder embedder =
            viaStore
                ? options.openModel()
                : OnnxEmbedder.open(StoreOptions.modelOrFolder(modelOrDefault()));
        VectorStore s = viaStore ? options.open(embedder, true, null) : null;
        CachedEmbedder cached =
            s != null
                ? null
                : CachedEmbedder.builder(embedder, InMemoryEmbeddingCache.withMaxEntries(100_000))
                    .build();
        BufferedReader reader = open();
        Sink sink = Sink.open(out, embedder.dimension());
        Progress progress = new Progress("embedding", -1)) {
      List<String> batch = new ArrayList<>(BATCH);
      long line = 0;
      for (String text = reader.readLine(); ; text = reader.readLine()) {
        if (text != null) {
          line++;
          batch.add(textOf(text, line));
        }
        if (batch.size() == BATCH || (text == null && !batch.isEmpty())) {
          CachedEmbedder.Outcome o = s != null ? s.embed(batch, r) : cached.lookupOrEmbed(batch, r);
          for (float[] v : o.vectors()) {
            sink.write(v);
          }
          counts[0] += batch.size();
          counts[1] += o.embedded();
          counts[2] += o.hits();
          progress.update(counts[0], counts[1], counts[2]);
          batch.clear();
        }
        if (text == null) {
          break;
        }
      }
      if (s != null) {
        s.commit();
      }
    }
    // The summary is a result, but stdout carries the vectors when there is no --out.
    (out == null ? Terminal.err() : Terminal.out())
        .printf(
            Locale.ROOT,
            "embedded %,d texts: %,d by the model, %,d from the cache, %,d repeats (%.1f s)%n",
            counts[0],
            counts[1],
            counts[2],
            counts[0] - counts[1] - counts[2],
            (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private String modelOrDefault() {
    return model == null ? dev.embedstore.onnx.BundledModel.DEFAULT.modelName() : model;
  }

  private BufferedReader open() throws IOException {
    InputStream stream = "-".equals(in) ? Terminal.in() : Files.newInputStream(Terminal.path(in));
    return new BufferedReader(
        new InputStreamReader(
            stream,
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)),
        1 << 16);
  }

  /** A plain line is the text; a line starting with '{' must be a JSON object with "text". */
  private String textOf(String line, long number) throws IOException, CliException {
    if (!line.stripLeading().startsWith("{")) {
      return line;
    }
    try (JsonParser p = JSON.createParser(line)) {
      p.nextToken();
      String text = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("text".equals(name)) {
          if (t != JsonToken.VALUE_STRING) {
            throw new CliException(where(number) + ": \"text\" must be a string");
          }
          text = p.getText();
        } else {
          p.skipChildren();
        }
      }
      if (text == null) {
        throw new CliException(where(number) + ": a JSON line needs a \"text\" field");
      }
      return text;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException(
          where(number) + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  private String where(long line) {
    return ("-".equals(in) ? "stdin" : in) + ", line " + line;
  }

  /** Where vectors go: a .npy matrix or JSON lines. */
  private interface Sink extends AutoCloseable {
    void write(float[] v) throws IOException;

    @Override
    void close() throws IOException;

    static Sink open(Path out, int dimension) throws IOException {
      if (out != null && out.getFileName().toString().endsWith(".npy")) {
        NpyWriter w = NpyWriter.create(out, dimension);
        return new Sink() {
          @Override
          public void write(float[] v) throws IOException {
            w.write(v);
          }

          @Override
          public void close() throws IOException {
            w.close();
          }
        };
      }
      OutputStream os =
          out == null
              ? Terminal.out()
              : new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
      return new Sink() {
        @Override
        public void write(float[] v) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("vector", v);
          Json.writeLine(os, line);
        }

        @Override
        public void close() throws IOException {
          os.flush();
          if (out != null) {
            os.close();
          }
        }
      };
    }
  }
}
