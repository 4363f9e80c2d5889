package dev.embedstore.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.embed.Role;
import dev.embedstore.onnx.internal.SciFact;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real bundled models. */
class OnnxEmbedderTest {
  private static OnnxEmbedder miniLm;
  private static List<String> sentences;

  @BeforeAll
  static void open() throws IOException {
    miniLm = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2);
    sentences = realSentences(240);
  }

  @AfterAll
  static void close() {
    miniLm.close();
  }

  /** Sentences of SciFact abstracts with 8 to 119 word pieces, spread over the corpus. */
  private static List<String> realSentences(int count) throws IOException {
    List<String> docs = SciFact.documents();
    List<String> out = new ArrayList<>();
    var counter = miniLm.tokenCounter();
    for (int d = 0; d < docs.size() && out.size() < count; d += 17) {
      for (String s : docs.get(d).split("(?<=\\.) ")) {
        int n = counter.countTokens(s);
        if (n >= 8 && n < 118) {
          out.add(s);
          break;
        }
      }
    }
    assertEquals(count, out.size());
    return out;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      assertTrue(Float.isFinite(x), "non-finite component");
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void matchesLangchain4jOnRealSentences() throws IOException {
    List<float[]> ours = miniLm.embed(sentences, Role.DOCUMENT);
    AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
    double worst = 1;
    for (int i = 0; i < sentences.size(); i++) {
      float[] theirs = reference.embed(sentences.get(i)).content().vector();
      double c = cosine(ours.get(i), theirs);
      worst = Math.min(worst, c);
      assertTrue(c >= 0.99999, "sentence " + i + " cosine " + c + ": " + sentences.get(i));
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "[OnnxEmbedderTest] worst cosine vs langchain4j over %d sentences: %.7f%n",
        sentences.size(),
        worst);
  }

  @Test
  void int8ModelStaysCloseToFp32() throws IOException {
    try (OnnxEmbedder q = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2_Q)) {
      List<float[]> fp32 = miniLm.embed(sentences, Role.DOCUMENT);
      List<float[]> int8 = q.embed(sentences, Role.DOCUMENT);
      double worst = 1;
      double sum = 0;
      for (int i = 0; i < sentences.size(); i++) {
        double c = cosine(fp32.get(i), int8.get(i));
        worst = Math.min(worst, c);
        sum += c;
      }
      System.out.printf(
          java.util.Locale.ROOT,
          "[OnnxEmbedderTest] int8 vs fp32 cosine: worst %.5f, mean %.5f%n",
          worst,
          sum / sentences.size());
      // Measured on these 240 sentences: worst 0.980, mean 0.991. The bound leaves margin.
      assertTrue(worst >= 0.95, "worst int8/fp32 cosine " + worst);
      assertTrue(sum / sentences.size() >= 0.98, "mean int8/fp32 cosine " + sum / sentences.size());
      assertNotEquals(miniLm.fingerprint(), q.fingerprint());
    }
  }

  @Test
  void batchedAndOneByOneGiveTheSameVectors() throws IOException {
    List<String> texts = new ArrayList<>(sentences.subList(0, 64));
    Collections.shuffle(texts, new Random(7));
    List<float[]> batched = miniLm.embed(texts, Role.DOCUMENT);
    for (int i = 0; i < texts.size(); i++) {
      float[] alone = miniLm.embed(List.of(texts.get(i)), Role.DOCUMENT).get(0);
      for (int d = 0; d < alone.length; d++) {
        assertEquals(alone[d], batched.get(i)[d], 2e-6, "text " + i + " component " + d);
      }
    }
    // A tiny token budget forces one text per batch: still the same vectors, in input order.
    try (OnnxEmbedder tiny =
        OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2).tokenBudget(1).build()) {
      List<float[]> single = tiny.embed(texts, Role.DOCUMENT);
      for (int i = 0; i < texts.size(); i++) {
        assertTrue(cosine(single.get(i), batched.get(i)) > 0.999999, "text " + i);
      }
      assertEquals(texts.size(), tiny.stats().batches());
    }
  }

  @Test
  void everyHostileTextGetsAUnitVector() throws IOException {
    String megabyte = "lorem ipsum dolor sit amet ".repeat(40_000);
    List<String> texts =
        List.of(
            "",
            " \t\n\u3000 ",
            megabyte,
            "\0\0a\0b\0",
            "\uD800 lone high, lone low \uDC00",
            "x".repeat(10_000),
            "🙂🙂 naïve café 東京");
    long truncatedBefore = miniLm.stats().truncated();
    List<float[]> vectors = miniLm.embed(texts, Role.DOCUMENT);
    assertEquals(texts.size(), vectors.size());
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(384, vectors.get(i).length);
      assertEquals(1.0, norm(vectors.get(i)), 1e-5, "text " + i);
    }
    assertEquals(1, miniLm.stats().truncated() - truncatedBefore, "only the megabyte is cut");
    assertEquals(1, miniLm.embedBatch(texts, Role.DOCUMENT).truncated(), "and each call says so");
    assertEquals(0, miniLm.embedBatch(List.of("short"), Role.DOCUMENT).truncated());
    assertFalse(cosine(vectors.get(0), vectors.get(2)) > 0.99, "empty and long text differ");
  }

  /**
   * The int8 graph quantises activations with one scale per input tensor: batched with other texts,
   * a text would get another vector (cosine 0.99). Each text runs alone instead.
   */
  @Test
  void aQuantisedModelGivesATextOneVectorWhateverItsNeighbours() throws IOException {
    try (OnnxEmbedder q = OnnxEmbedder.open("all-minilm-l6-v2-q")) {
      String text = "Sourdough bread rises slowly when the kitchen is cold.";
      float[] alone = q.embed(List.of(text), Role.DOCUMENT).get(0);
      List<String> batch = new java.util.ArrayList<>();
      batch.add("a");
      batch.add(text);
      batch.add(
          "a much longer neighbour, which pads the batch and moves its quantisation scale "
              .repeat(5));
      float[] among = q.embed(batch, Role.DOCUMENT).get(1);
      assertArrayEquals(alone, among, 0f, "one text, one vector");
    }
  }

  /** A chunking depends on the tokenizer: the counter names it, the same in every instance. */
  @Test
  void tokenCountersNameTheirTokenizer() throws IOException {
    try (OnnxEmbedder again = OnnxEmbedder.open("all-minilm-l6-v2");
        OnnxEmbedder bge = OnnxEmbedder.open("bge-small-en-v1.5")) {
      String id = miniLm.tokenCounter().identity();
      assertTrue(id.startsWith("wordpiece "), id);
      assertEquals(id, again.tokenCounter().identity());
      assertFalse(again.isModelLoaded(), "naming the tokenizer loads nothing");
      assertFalse(id.equals(bge.tokenCounter().identity()));
    }
  }

  /**
   * Loading ONNX Runtime and a model on a thread with a small stack must not kill the JVM: the
   * library's first load and its graph optimiser need about 1 MiB of stack, which a default Java
   * thread (1 MiB) does not always have. Before sessions were made on a thread of their own, the
   * child JVM here died with a SIGSEGV (exit 139) and printed nothing. A child, so that the first
   * load of the native library happens on the small thread.
   */
  @Test
  void aModelLoadsOnAThreadWithASmallStack() throws Exception {
    float[] expected;
    try (OnnxEmbedder model = OnnxEmbedder.open(BundledModel.ALL_MINILM_L6_V2.modelName())) {
      expected = model.embed(List.of(SmallStackLoad.TEXT), Role.DOCUMENT).get(0);
    }
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of(),
                    SmallStackLoad.class,
                    BundledModel.ALL_MINILM_L6_V2.modelName(),
                    "512"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the child died: " + out);
    assertEquals(java.util.Arrays.toString(expected), out.strip());
  }

  /**
   * Interrupting a long embedding, then closing the model, must neither crash the process (a native
   * session freed while a helper thread still runs it) nor leave the embedder unusable before
   * close.
   */
  @Test
  void anInterruptedEmbeddingThenCloseIsSafe() throws Exception {
    OnnxEmbedder model = OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2).parallelism(2).build();
    List<String> texts = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      texts.add(
          "text number " + i + " about something or other, long enough to matter. ".repeat(4));
    }
    model.embed(List.of("warm up"), Role.DOCUMENT);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                model.embed(texts, Role.DOCUMENT);
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    t.start();
    long batches = model.stats().batches();
    while (t.isAlive() && model.stats().batches() == batches && failure.get() == null) {
      Thread.onSpinWait();
      if (model.stats().texts() > 0) {
        break;
      }
    }
    t.interrupt();
    model.close(); // waits for the call, and every batch it started, to end
    t.join();
    Throwable f = failure.get();
    assertTrue(
        f == null
            || f instanceof java.io.InterruptedIOException
            || f instanceof IllegalStateException,
        String.valueOf(f));
    var closed =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> model.embed(List.of("x"), Role.DOCUMENT));
    assertTrue(closed.getMessage().contains("closed"));
  }

  @Test
  void rejectPolicyRefusesLongTexts() throws IOException {
    try (OnnxEmbedder strict =
        OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2)
            .truncation(TruncationPolicy.REJECT)
            .build()) {
      assertNotEquals(miniLm.fingerprint(), strict.fingerprint());
      assertEquals(1, strict.embed(List.of("short"), Role.DOCUMENT).size());
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> strict.embed(List.of("ok", "word ".repeat(300)), Role.DOCUMENT));
      assertTrue(e.getMessage().contains("text 1"), e.getMessage());
      assertTrue(e.getMessage().contains("256"), e.getMessage());
    }
  }

  @Test
  void modelLoadsOnlyWhenATextIsEmbedded() throws IOException {
    try (OnnxEmbedder e = OnnxEmbedder.bundled("all-minilm-l6-v2")) {
      assertEquals(384, e.dimension());
      assertEquals(64, e.fingerprint().hex().length());
      assertEquals(List.of(), e.embed(List.of(), Role.DOCUMENT));
      assertFalse(e.isModelLoaded());
      e.embed(List.of("now"), Role.QUERY);
      assertTrue(e.isModelLoaded());
    }
  }

  @Test
  void fingerprintsArePinnedAndDistinct() {
    List<String> seen = new ArrayList<>();
    for (BundledModel m : BundledModel.values()) {
      try (OnnxEmbedder e = OnnxEmbedder.bundled(m)) {
        try (OnnxEmbedder again = OnnxEmbedder.bundled(m.modelName())) {
          assertEquals(e.fingerprint(), again.fingerprint());
        }
        assertFalse(seen.contains(e.fingerprint().hex()), m + " shares a fingerprint");
        seen.add(e.fingerprint().hex());
      }
    }
    // Pinned: a change here silently invalidates every vector users have cached. If the change is
    // intended, bump OnnxEmbedder.PIPELINE_VERSION and update this value.
    assertEquals(
        "5ef86377058dc4d2d00aa2300e2b14e4f01db48d877e5b766e874a70c7ede6be",
        miniLm.fingerprint().hex());
  }

  @Test
  void specOverridesChangeTheFingerprint() throws IOException {
    try (OnnxEmbedder shorter =
            OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2).maxTokens(128).build();
        OnnxEmbedder renamed =
            OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2).name("mine").build();
        OnnxEmbedder prefixed =
            OnnxEmbedder.builder(BundledModel.ALL_MINILM_L6_V2).queryPrefix("q: ").build()) {
      assertNotEquals(miniLm.fingerprint(), shorter.fingerprint());
      assertNotEquals(miniLm.fingerprint(), prefixed.fingerprint());
      assertEquals(miniLm.fingerprint(), renamed.fingerprint(), "the name is only a label");
    }
  }

  @Test
  void bundledResourcesHaveTheRecordedDigests() throws Exception {
    for (BundledModel m : BundledModel.values()) {
      assertEquals(
          java.util.HexFormat.of().formatHex(m.onnxSha256()),
          sha256(m.onnxResource()),
          m + " onnx");
      assertEquals(
          java.util.HexFormat.of().formatHex(m.tokenizerSha256()),
          sha256(m.tokenizerResource()),
          m + " tokenizer");
      // What a load checks instead of the SHA-256: the same file's length and CRC-32.
      var crc = new java.util.zip.CRC32();
      long length = 0;
      try (InputStream in =
          OnnxEmbedder.class.getClassLoader().getResourceAsStream(m.onnxResource())) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          crc.update(buf, 0, n);
          length += n;
        }
      }
      assertEquals(m.onnxLength(), length, m + " onnx length");
      assertEquals(m.onnxCrc32(), crc.getValue(), m + " onnx CRC-32");
    }
  }

  private static String sha256(String resource) throws Exception {
    var md = java.security.MessageDigest.getInstance("SHA-256");
    try (InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
      assertTrue(in != null, "missing resource " + resource);
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Test
  void bgeUsesItsQueryPrefixAndRanksTheRelevantPassageFirst() throws IOException {
    try (OnnxEmbedder bge = OnnxEmbedder.bundled(BundledModel.BGE_SMALL_EN_V1_5)) {
      assertEquals(Pooling.CLS, bge.spec().pooling());
      String q = "how do statins affect cholesterol";
      float[] asQuery = bge.embed(List.of(q), Role.QUERY).get(0);
      float[] asDoc = bge.embed(List.of(q), Role.DOCUMENT).get(0);
      float[] prefixed = bge.embed(List.of(bge.spec().queryPrefix() + q), Role.DOCUMENT).get(0);
      assertArrayEquals(prefixed, asQuery, 1e-5f);
      assertTrue(cosine(asQuery, asDoc) < 0.999);
      List<float[]> docs =
          bge.embed(
              List.of(
                  "Volcanic eruptions inject sulfur dioxide into the stratosphere.",
                  "Statins lower LDL cholesterol by inhibiting HMG-CoA reductase in the liver.",
                  "The Treaty of Westphalia ended the Thirty Years' War in 1648."),
              Role.DOCUMENT);
      assertTrue(cosine(asQuery, docs.get(1)) > cosine(asQuery, docs.get(0)));
      assertTrue(cosine(asQuery, docs.get(1)) > cosine(asQuery, docs.get(2)));
    }
  }

  @Test
  void aModelFolderWorksLikeTheBundledModel(@TempDir Path dir) throws Exception {
    copyResource("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
    copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(
        dir.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_mean_tokens\": true}");
    Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256}");
    try (OnnxEmbedder folder = OnnxEmbedder.open(dir.toString())) {
      assertEquals(Pooling.MEAN, folder.spec().pooling());
      assertEquals(256, folder.spec().maxTokens());
      assertEquals(miniLm.fingerprint(), folder.fingerprint(), "same bytes, same spec");
      float[] a = folder.embed(List.of(sentences.get(0)), Role.DOCUMENT).get(0);
      float[] b = miniLm.embed(List.of(sentences.get(0)), Role.DOCUMENT).get(0);
      assertArrayEquals(b, a, 1e-6f);
    }
  }

  @Test
  void folderErrorsNameTheProblem(@TempDir Path dir) throws Exception {
    copyResource("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
    var noTokenizer = assertThrows(IOException.class, () -> OnnxEmbedder.fromDirectory(dir));
    assertTrue(noTokenizer.getMessage().contains("tokenizer.json"), noTokenizer.getMessage());

    copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.write(
        dir.resolve("model.onnx"), "not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 384}");
    try (OnnxEmbedder corrupt = OnnxEmbedder.fromDirectory(dir)) {
      var e = assertThrows(IOException.class, () -> corrupt.embed(List.of("x"), Role.DOCUMENT));
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    var unknown =
        assertThrows(IllegalArgumentException.class, () -> OnnxEmbedder.open("no-such-model"));
    assertTrue(unknown.getMessage().contains("all-minilm-l6-v2"), unknown.getMessage());
  }

  private static void copyResource(String resource, Path to) throws IOException {
    try (InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, to);
    }
  }

  @Test
  void concurrentCallersGetTheSameVectorsAsOneCaller() throws Exception {
    List<float[]> expected = miniLm.embed(sentences.subList(0, 40), Role.DOCUMENT);
    ExecutorService pool =
        Executors.newFixedThreadPool(4, Thread.ofPlatform().name("embed-test-", 0).factory());
    try {
      List<Future<List<float[]>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int shift = t * 10;
        futures.add(
            pool.submit(
                () -> {
                  List<String> rotated = new ArrayList<>(sentences.subList(0, 40));
                  Collections.rotate(rotated, shift);
                  List<float[]> got = miniLm.embed(rotated, Role.DOCUMENT);
                  Collections.rotate(got, -shift);
                  return got;
                }));
      }
      for (Future<List<float[]>> f : futures) {
        List<float[]> got = f.get();
        for (int i = 0; i < expected.size(); i++) {
          assertArrayEquals(expected.get(i), got.get(i), 2e-6f, "text " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badArgumentsAndClosedUse() throws IOException {
    OnnxEmbedder e = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2);
    var npe =
        assertThrows(NullPointerException.class, () -> e.embed((List<String>) null, Role.DOCUMENT));
    assertTrue(npe.getMessage().contains("texts"));
    List<String> withNull = new ArrayList<>();
    withNull.add("a");
    withNull.add(null);
    var npe2 = assertThrows(NullPointerException.class, () -> e.embed(withNull, Role.DOCUMENT));
    assertTrue(npe2.getMessage().contains("1"), npe2.getMessage());
    e.embed(List.of("load it"), Role.DOCUMENT);
    e.close();
    e.close();
    var closed =
        assertThrows(IllegalStateException.class, () -> e.embed(List.of("x"), Role.DOCUMENT));
    assertTrue(closed.getMessage().contains("OnnxEmbedder"));
  }
}
