package dev.embedstore.bench.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.embed.Role;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.text.TextSplitter;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedding throughput: Embedstore's {@link OnnxEmbedder} against langchain4j's in-process embedder
 * and against the ONNX Runtime ceiling, on the same texts, fp32 and int8.
 *
 * <p>The texts are SciFact abstracts split into chunks of at most 120 word pieces, so no text is
 * truncated by either library and both see exactly the same input. (langchain4j's tokenizer keeps
 * the {@code tokenizer.json} truncation of 128 tokens, so longer texts would give it less work.)
 * The ceiling runs the same model on uniform full batches of the chunks' mean length, with tensors
 * built before the clock starts: no tokenisation, no padding, no pooling. Each round runs every
 * contender once; the ratios are taken within a round (the machine is shared) and the median over
 * rounds is printed.
 *
 * <p>Run: {@code ./benchmarks/run dev.embedstore.bench.embed.EmbeddingThroughput [chunks] [rounds]}
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class EmbeddingThroughput {
  private EmbeddingThroughput() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path corpus =
        Path.of(System.getProperty("embedstore.shared", "../shared"), "data/scifact/corpus.jsonl");
    measure(corpus, count, rounds, System.out);
  }

  /**
   * What one run measured: texts per second of each contender (medians over rounds) and the
   * in-round ratios.
   *
   * @param texts texts embedded per round
   * @param tokens their tokens
   * @param names the contenders
   * @param textsPerSecond per contender
   * @param vsLangchain4jFp32 embedstore over langchain4j, fp32
   * @param vsLangchain4jInt8 embedstore over langchain4j, int8
   * @param ofCeilingFp32 embedstore's share of the ONNX Runtime ceiling, fp32
   * @param ofCeilingInt8 embedstore's share of the ONNX Runtime ceiling, int8
   * @param gflopsFp32 embedstore's fp32 embedding in billions of operations per second, counting
   *     only real tokens ({@link FloatPeak#miniLmFlops})
   * @param gflopsCeilingFp32 the same for the ceiling's uniform batches
   * @param peakGflops the float32 FMA peak of all cores, measured in the same run ({@link
   *     FloatPeak#measure})
   */
  public record Result(
      int texts,
      long tokens,
      List<String> names,
      double[] textsPerSecond,
      double vsLangchain4jFp32,
      double vsLangchain4jInt8,
      double ofCeilingFp32,
      double ofCeilingInt8,
      double gflopsFp32,
      double gflopsCeilingFp32,
      double peakGflops) {}

  /**
   * Runs the comparison.
   *
   * @param corpus a BEIR corpus.jsonl to take texts from
   * @param count how many chunks
   * @param rounds how many rounds
   * @param log where the progress and the table go
   * @return the figures
   * @throws Exception if a model fails
   */
  public static Result measure(Path corpus, int count, int rounds, PrintStream log)
      throws Exception {
    try (OnnxEmbedder fp32 = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2);
        OnnxEmbedder int8 = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2_Q)) {
      List<String> texts = chunks(corpus, fp32, count);
      long tokens = 0;
      double flops = 0;
      for (String t : texts) {
        int n = fp32.tokenCounter().countTokens(t) + 2;
        tokens += n;
        flops += FloatPeak.miniLmFlops(n);
      }
      int meanLength = (int) Math.round((double) tokens / texts.size());
      log.printf(
          Locale.ROOT,
          "texts: %d SciFact chunks (<= 120 word pieces), %d tokens, mean %d; %d cores%n",
          texts.size(),
          tokens,
          meanLength,
          Runtime.getRuntime().availableProcessors());

      EmbeddingModel lcFp32 = new AllMiniLmL6V2EmbeddingModel();
      EmbeddingModel lcInt8 = new AllMiniLmL6V2QuantizedEmbeddingModel();
      List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
      try (Ceiling ceilFp32 = new Ceiling("all-minilm-l6-v2.onnx", texts.size(), meanLength);
          Ceiling ceilInt8 = new Ceiling("all-minilm-l6-v2-q.onnx", texts.size(), meanLength)) {
        // Warm up every contender once on a slice.
        List<String> warm = texts.subList(0, Math.min(64, texts.size()));
        fp32.embed(warm, Role.DOCUMENT);
        int8.embed(warm, Role.DOCUMENT);
        lcFp32.embedAll(segments.subList(0, warm.size()));
        lcInt8.embedAll(segments.subList(0, warm.size()));
        ceilFp32.run();
        ceilInt8.run();

        List<String> names =
            List.of(
                "embedstore fp32",
                "langchain4j fp32",
                "ceiling fp32",
                "embedstore int8",
                "langchain4j int8",
                "ceiling int8");
        double[][] seconds = new double[rounds][names.size()];
        for (int r = 0; r < rounds; r++) {
          seconds[r][0] = time(() -> fp32.embed(texts, Role.DOCUMENT));
          seconds[r][1] = time(() -> lcFp32.embedAll(segments));
          seconds[r][2] = time(ceilFp32::run);
          seconds[r][3] = time(() -> int8.embed(texts, Role.DOCUMENT));
          seconds[r][4] = time(() -> lcInt8.embedAll(segments));
          seconds[r][5] = time(ceilInt8::run);
          log.printf(Locale.ROOT, "round %d: %s%n", r + 1, Arrays.toString(seconds[r]));
        }
        double[] perSecond = new double[names.size()];
        log.printf(Locale.ROOT, "%n%-18s %10s %12s%n", "", "texts/s", "tokens/s");
        for (int c = 0; c < names.size(); c++) {
          double sec = median(column(seconds, c));
          perSecond[c] = texts.size() / sec;
          log.printf(
              Locale.ROOT, "%-18s %10.1f %12.0f%n", names.get(c), perSecond[c], tokens / sec);
        }
        double peak = FloatPeak.measure() / 1e9;
        double gflops = flops / median(column(seconds, 0)) / 1e9;
        double ceilingGflops =
            texts.size() * FloatPeak.miniLmFlops(meanLength) / median(column(seconds, 2)) / 1e9;
        Result result =
            new Result(
                texts.size(),
                tokens,
                names,
                perSecond,
                ratio(seconds, 1, 0),
                ratio(seconds, 4, 3),
                ratio(seconds, 2, 0),
                ratio(seconds, 5, 3),
                gflops,
                ceilingGflops,
                peak);
        log.printf(
            Locale.ROOT,
            "%nfp32 work (real tokens only, %.2f GFLOP per round): embedstore %.1f GFLOP/s,"
                + " ceiling %.1f GFLOP/s; float32 FMA peak of the %d cores, measured: %.1f GFLOP/s"
                + " (%d lanes): embedstore at %.0f%% of it%n",
            flops / 1e9,
            gflops,
            ceilingGflops,
            Runtime.getRuntime().availableProcessors(),
            peak,
            FloatPeak.lanes(),
            100 * gflops / peak);
        log.printf(
            Locale.ROOT,
            "%nratios (median of per-round ratios):%n"
                + "  embedstore / langchain4j, fp32: %.2fx (target >= 1.5x)%n"
                + "  embedstore / langchain4j, int8: %.2fx (target >= 2.5x)%n"
                + "  embedstore / ceiling,     fp32: %.0f%% (target >= 90%%)%n"
                + "  embedstore / ceiling,     int8: %.0f%% (target >= 90%%)%n",
            result.vsLangchain4jFp32(),
            result.vsLangchain4jInt8(),
            100 * result.ofCeilingFp32(),
            100 * result.ofCeilingInt8());
        OnnxEmbedder.Stats st = fp32.stats();
        log.printf(
            Locale.ROOT,
            "embedstore fp32 batches: %.1f%% of fed tokens were real (padding efficiency),"
                + " tokenising %.1f%% of its time%n",
            100.0 * st.tokens() / st.paddedTokens(),
            100.0 * st.tokenizeNanos() / (st.tokenizeNanos() + st.inferenceNanos()));
        return result;
      }
    }
  }

  /** The ratio {@code seconds[a] / seconds[b]} per round, median over rounds. */
  private static double ratio(double[][] seconds, int a, int b) {
    double[] r = new double[seconds.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = seconds[i][a] / seconds[i][b];
    }
    return median(r);
  }

  private static double[] column(double[][] m, int c) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i][c];
    }
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private interface Work {
    void run() throws Exception;
  }

  private static double time(Work w) throws Exception {
    long t0 = System.nanoTime();
    w.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** SciFact abstracts, split into chunks of at most 120 word pieces, every 3rd document. */
  private static List<String> chunks(Path corpus, OnnxEmbedder embedder, int count)
      throws IOException {
    TextSplitter splitter = TextSplitter.of(embedder.tokenCounter(), 120, 0);
    List<String> out = new ArrayList<>();
    JsonFactory json = JsonFactory.builder().build();
    try (BufferedReader r = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
      int line = 0;
      for (String s; (s = r.readLine()) != null && out.size() < count; line++) {
        String text = line % 3 == 0 ? textField(json, s) : null;
        if (text != null) {
          for (TextSplitter.Chunk c : splitter.split(text)) {
            if (out.size() < count) {
              out.add(c.text());
            }
          }
        }
      }
    }
    return out;
  }

  private static String textField(JsonFactory json, String line) throws IOException {
    try (JsonParser p = json.createParser(line)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("text")) {
          return p.getText();
        }
        p.skipChildren();
      }
    }
    return null;
  }

  /** The same model on uniform full batches with tensors built in advance. */
  private static final class Ceiling implements AutoCloseable {
    private final OrtSession session;
    private final List<Map<String, OnnxTensor>> batches = new ArrayList<>();

    Ceiling(String resource, int texts, int length) throws IOException, OrtException {
      byte[] model;
      try (InputStream in =
          EmbeddingThroughput.class.getClassLoader().getResourceAsStream(resource)) {
        model = in.readAllBytes();
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(1);
        session = env.createSession(model, o);
      }
      int perBatch =
          Math.max(
              1, Math.min(OnnxEmbedder.MAX_BATCH_SIZE, OnnxEmbedder.DEFAULT_TOKEN_BUDGET / length));
      for (int done = 0; done < texts; done += perBatch) {
        int n = Math.min(perBatch, texts - done);
        long[] shape = {n, length};
        LongBuffer ids = longs(n * length, 2000);
        LongBuffer mask = longs(n * length, 1);
        LongBuffer types = longs(n * length, 0);
        batches.add(
            Map.of(
                "input_ids", OnnxTensor.createTensor(env, ids, shape),
                "attention_mask", OnnxTensor.createTensor(env, mask, shape),
                "token_type_ids", OnnxTensor.createTensor(env, types, shape)));
      }
    }

    private static LongBuffer longs(int n, long value) {
      LongBuffer b =
          ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
      for (int i = 0; i < n; i++) {
        b.put(i, value + (value > 1 ? i % 5000 : 0));
      }
      return b;
    }

    /** Runs the batches on as many threads as OnnxEmbedder runs batches side by side. */
    void run() throws Exception {
      AtomicInteger next = new AtomicInteger();
      Callable<Void> drain =
          () -> {
            for (int b; (b = next.getAndIncrement()) < batches.size(); ) {
              try (OrtSession.Result r = session.run(batches.get(b))) {
                r.get(0);
              }
            }
            return null;
          };
      int threads = Runtime.getRuntime().availableProcessors();
      try (ExecutorService pool =
          Executors.newFixedThreadPool(
              threads, Thread.ofPlatform().name("ceiling-", 0).factory())) {
        List<Future<Void>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          running.add(pool.submit(drain));
        }
        for (Future<Void> f : running) {
          f.get();
        }
      }
    }

    @Override
    public void close() throws OrtException {
      for (Map<String, OnnxTensor> b : batches) {
        b.values().forEach(OnnxTensor::close);
      }
      session.close();
    }
  }
}
