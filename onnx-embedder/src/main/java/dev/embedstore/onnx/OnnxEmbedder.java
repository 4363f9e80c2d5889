package dev.embedstore.onnx;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.onnx.internal.BatchRunner;
import dev.embedstore.onnx.internal.Batches;
import dev.embedstore.onnx.internal.OnnxSession;
import dev.embedstore.onnx.internal.Pooler;
import dev.embedstore.onnx.internal.WordPieceTokenizer;
import dev.embedstore.text.TokenCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * Embeds texts in-process with ONNX Runtime: a pure-Java BERT tokenizer, batched inference, pooling
 * and L2 normalisation.
 *
 * <p>Open a bundled model by name (its artifact, such as {@code
 * dev.embedstore:embedstore-model-all-minilm-l6-v2}, on the class path: see {@link BundledModel}),
 * or a model folder:
 *
 * <pre>{@code
 * try (OnnxEmbedder e = OnnxEmbedder.open("all-minilm-l6-v2")) {
 *   List<float[]> v = e.embed(List.of("a passage", "another"), Role.DOCUMENT);
 * }
 * }</pre>
 *
 * <p>Each call tokenizes its texts, sorts them by token count and runs them in batches capped by a
 * token budget, each padded to its own longest text: padding, which costs as much as real tokens,
 * stays small. The ONNX session is created on the first call that needs it, so an application whose
 * texts are all cached never loads the model; the tokenizer likewise loads on first use.
 *
 * <p>The {@link #fingerprint() fingerprint} covers the ONNX file, the tokenizer file, the {@link
 * ModelSpec} and {@link #PIPELINE_VERSION}. For bundled models it comes from constants (no hashing
 * at start); the bytes are checked against them when the model is loaded.
 *
 * <p>Vectors of the same text are identical from call to call. With an fp32 model, texts batched
 * with different neighbours may differ in the last bits (ONNX Runtime sums in an order that depends
 * on the padded shape; cosine above 0.99999). A dynamically quantised model (the int8
 * all-MiniLM-L6-v2) would differ by far more, since its quantisation scale comes from the whole
 * batch: such a model runs one text per inference, so a text's vector never depends on its
 * neighbours.
 *
 * <p><b>NOTE</b>: thread-safe; one instance, and its one ONNX session, serves all threads. {@link
 * #close()} waits for running inferences to finish, then frees the native session; it is
 * idempotent.
 *
 * <p>(About 600 lines: a third is the {@link Builder} of its ten settings, a third javadoc; the
 * session, batch runner and pooling are in {@code dev.embedstore.onnx.internal}.)
 */
public final class OnnxEmbedder implements Embedder {
  /**
   * The version of this class's embedding pipeline (tokenisation, batching, pooling,
   * normalisation). It is part of every fingerprint: bump it whenever a change to the code could
   * change a vector, and every cached vector of an older version stops matching.
   */
  public static final long PIPELINE_VERSION = 1;

  /**
   * The default padded-token budget of one inference batch. Small on purpose: on CPUs, measured on
   * all-MiniLM-L6-v2 fp32 and int8, batches of about 256 padded tokens run side by side (one per
   * core) are 1.4-1.8x faster than batches of 16k tokens on all cores, and faster than one text per
   * run for short texts, where per-run overhead dominates.
   */
  public static final int DEFAULT_TOKEN_BUDGET = 256;

  /** The most texts in one inference batch. */
  public static final int MAX_BATCH_SIZE = 256;

  private final ModelSource source;
  private final ModelSpec spec;
  private final ModelFingerprint fingerprint;
  private final int intraOpThreads;
  private final int parallelism;
  private final int tokenBudget;

  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Pooler pooler;
  private final String tokenizerIdentity;
  private final BatchRunner runner;
  private volatile WordPieceTokenizer tokenizer;
  private volatile OnnxSession session;
  private boolean closed;

  private final LongAdder texts = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder paddedTokens = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder tokenizeNanos = new LongAdder();
  private final LongAdder inferenceNanos = new LongAdder();

  private OnnxEmbedder(Builder b) throws IOException {
    this.source = b.source;
    this.spec = b.spec;
    this.intraOpThreads = b.intraOpThreads;
    this.parallelism = b.parallelism;
    this.tokenBudget = b.tokenBudget;
    this.pooler = new Pooler(spec.pooling(), spec.dimension());
    this.tokenizerIdentity = java.util.HexFormat.of().formatHex(source.tokenizerDigest());
    this.runner = new BatchRunner(parallelism);
    this.fingerprint =
        ModelFingerprint.builder()
            .add("pipeline", "embedstore-onnx")
            .add("pipeline_version", PIPELINE_VERSION)
            .add("model.onnx", source.onnxDigest())
            .add("tokenizer.json", source.tokenizerDigest())
            .add("pooling", spec.pooling().name())
            .add("normalize", "l2")
            .add("max_tokens", spec.maxTokens())
            .add("truncation", spec.truncation().name())
            .add("query_prefix", spec.queryPrefix())
            .add("document_prefix", spec.documentPrefix())
            .add("dimension", spec.dimension())
            .build();
  }

  /**
   * Opens a bundled model by name, or else a model folder at that path.
   *
   * @param nameOrFolder a bundled model's name ({@link BundledModel#names()}) or a folder path
   * @return the embedder
   * @throws IOException if the folder cannot be read
   * @throws IllegalArgumentException if it is neither a bundled model nor an existing folder (the
   *     message lists the bundled models), or it names a bundled model whose artifact is not on the
   *     class path (the message names the artifact to add)
   */
  public static OnnxEmbedder open(String nameOrFolder) throws IOException {
    Objects.requireNonNull(nameOrFolder, "nameOrFolder");
    for (BundledModel m : BundledModel.values()) {
      if (m.modelName().equalsIgnoreCase(nameOrFolder.strip())) {
        return bundled(m);
      }
    }
    Path folder = Path.of(nameOrFolder);
    if (Files.isDirectory(folder)) {
      return fromDirectory(folder);
    }
    throw new IllegalArgumentException(
        "unknown model \""
            + nameOrFolder
            + "\": not a bundled model ("
            + BundledModel.names()
            + ") nor a model folder");
  }

  /**
   * Opens a bundled model by name.
   *
   * @param name one of {@link BundledModel#names()}
   * @return the embedder
   * @throws IllegalArgumentException if no bundled model has that name (the message lists the
   *     names), or its artifact is not on the class path (the message names the artifact to add)
   */
  public static OnnxEmbedder bundled(String name) {
    return bundled(BundledModel.byName(name));
  }

  /**
   * Opens a bundled model with its default spec.
   *
   * @param model the model
   * @return the embedder
   * @throws IllegalArgumentException if the model's artifact ({@link BundledModel#coordinates()})
   *     is not on the class path; the message names it
   */
  public static OnnxEmbedder bundled(BundledModel model) {
    try {
      return builder(model).build();
    } catch (IOException e) {
      // A bundled model's fingerprint comes from constants: building reads no file.
      throw new AssertionError("opening " + model + " read a file", e);
    }
  }

  /**
   * Opens a model folder with the spec its files describe (see {@link #builder(Path)}).
   *
   * @param folder the folder
   * @return the embedder
   * @throws IOException if the folder lacks {@code model.onnx} or {@code tokenizer.json}, or a file
   *     cannot be read; the message names the path
   */
  public static OnnxEmbedder fromDirectory(Path folder) throws IOException {
    return builder(folder).build();
  }

  /**
   * Starts configuring a bundled model, from its default spec.
   *
   * @param model the model
   * @return a builder
   * @throws IllegalArgumentException if the model's artifact ({@link BundledModel#coordinates()})
   *     is not on the class path; the message names it
   */
  public static Builder builder(BundledModel model) {
    return new Builder(
        ModelSource.Bundled.find(model, OnnxEmbedder.class.getClassLoader()), model.spec());
  }

  /**
   * Starts configuring a model folder: {@code model.onnx} (or {@code onnx/model.onnx}), {@code
   * tokenizer.json}, and optionally the sentence-transformers files {@code 1_Pooling/config.json}
   * (pooling, dimension), {@code sentence_bert_config.json} ({@code max_seq_length}) and {@code
   * config.json} ({@code hidden_size}). Without them: mean pooling, 512 tokens.
   *
   * @param folder the folder
   * @return a builder
   * @throws IOException if a required file is missing or unreadable; the message names it
   */
  public static Builder builder(Path folder) throws IOException {
    ModelSource.Directory source = ModelSource.Directory.open(folder);
    return new Builder(source, FolderConfig.read(folder));
  }

  @Override
  public String modelName() {
    return spec.name();
  }

  @Override
  public ModelFingerprint fingerprint() {
    return fingerprint;
  }

  @Override
  public int dimension() {
    return spec.dimension();
  }

  /**
   * The spec this embedder runs with.
   *
   * @return the spec
   */
  public ModelSpec spec() {
    return spec;
  }

  /**
   * Counts this model's tokens in a text (without special tokens), for splitting long texts into
   * chunks that fit. Loads the tokenizer on first use.
   *
   * @return the counter
   */
  public TokenCounter tokenCounter() {
    String identity = "wordpiece " + tokenizerIdentity;
    return new TokenCounter() {
      @Override
      public int countTokens(String text) {
        try {
          return tokenizer().countTokens(text);
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }

      @Override
      public String identity() {
        return identity;
      }
    };
  }

  /**
   * The most text tokens one input can hold: {@link ModelSpec#maxTokens()} minus the special
   * tokens.
   *
   * @return the limit for chunks
   */
  public int maxTextTokens() {
    return spec.maxTokens() - 2;
  }

  @Override
  public List<float[]> embed(List<String> texts, Role role) throws IOException {
    return embedBatch(texts, role).vectors();
  }

  @Override
  public Embeddings embedBatch(List<String> input, Role role) throws IOException {
    Objects.requireNonNull(input, "texts");
    Objects.requireNonNull(role, "role");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      if (input.isEmpty()) {
        return new Embeddings(List.of(), 0);
      }
      String prefix = role == Role.QUERY ? spec.queryPrefix() : spec.documentPrefix();
      WordPieceTokenizer tok = tokenizer();
      long t0 = System.nanoTime();
      int[][] ids = new int[input.size()][];
      int[] lengths = new int[input.size()];
      long realTokens = 0;
      int cut = 0;
      for (int i = 0; i < ids.length; i++) {
        String text = input.get(i);
        if (text == null) {
          throw new NullPointerException("texts.get(" + i + ")");
        }
        WordPieceTokenizer.Encoding enc = tok.encode(prefix + text, spec.maxTokens());
        if (enc.truncated()) {
          if (spec.truncation() == TruncationPolicy.REJECT) {
            throw new IllegalArgumentException(
                "text "
                    + i
                    + " has "
                    + (enc.contentTokens() + tok.specialTokens())
                    + " tokens, more than the "
                    + spec.maxTokens()
                    + " that "
                    + spec.name()
                    + " takes (truncation policy REJECT)");
          }
          cut++;
        }
        ids[i] = enc.ids();
        lengths[i] = enc.ids().length;
        realTokens += lengths[i];
      }
      tokenizeNanos.add(System.nanoTime() - t0);

      OnnxSession s = session();
      int[] order = Batches.sortedByLength(lengths);
      float[][] out = new float[ids.length][];
      long padded = 0;
      // A dynamically quantised graph gives a text another vector among other neighbours: one
      // text per run keeps every text's vector one (and costs nothing measurable: docs/models.md).
      List<Batches.Batch> plan =
          Batches.plan(lengths, order, tokenBudget, s.batchDependent() ? 1 : MAX_BATCH_SIZE);
      for (Batches.Batch batch : plan) {
        padded += (long) batch.size() * batch.length();
      }
      int pad = tok.padId();
      runner.runAll(
          plan.size(), b -> inferenceNanos.add(s.run(ids, order, plan.get(b), pad, pooler, out)));
      texts.add(ids.length);
      tokens.add(realTokens);
      paddedTokens.add(padded);
      truncated.add(cut);
      batches.add(plan.size());
      return new Embeddings(Arrays.asList(out), cut);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private WordPieceTokenizer tokenizer() throws IOException {
    WordPieceTokenizer t = tokenizer;
    if (t == null) {
      synchronized (this) {
        t = tokenizer;
        if (t == null) {
          t = source.loadTokenizer();
          tokenizer = t;
        }
      }
    }
    return t;
  }

  private OnnxSession session() throws IOException {
    OnnxSession s = session;
    if (s == null) {
      synchronized (this) {
        s = session;
        if (s == null) {
          s =
              OnnxSession.create(
                  source::loadModel,
                  source.ortStem(),
                  source.describe(),
                  spec.dimension(),
                  intraOpThreads);
          session = s;
        }
      }
    }
    return s;
  }

  /**
   * Whether the ONNX session has been created (the model loaded). A run whose texts all come from a
   * cache never creates it.
   *
   * @return true once the model is loaded
   */
  public boolean isModelLoaded() {
    return session != null;
  }

  /**
   * What this embedder has done since it was opened.
   *
   * @return a snapshot of the counters
   */
  public Stats stats() {
    return new Stats(
        texts.sum(),
        tokens.sum(),
        paddedTokens.sum(),
        truncated.sum(),
        batches.sum(),
        tokenizeNanos.sum(),
        inferenceNanos.sum());
  }

  /**
   * Counters since the embedder was opened.
   *
   * @param texts texts embedded
   * @param tokens real tokens fed to the model, special tokens included
   * @param paddedTokens tokens fed including padding; {@code tokens / paddedTokens} is the batch
   *     efficiency
   * @param truncated texts cut to the model's token limit
   * @param batches inference batches run
   * @param tokenizeNanos time spent tokenizing
   * @param inferenceNanos time spent in ONNX Runtime (inputs to outputs)
   */
  public record Stats(
      long texts,
      long tokens,
      long paddedTokens,
      long truncated,
      long batches,
      long tokenizeNanos,
      long inferenceNanos) {}

  /**
   * Waits for running embeddings to finish (every batch they started included), then stops the
   * worker threads and frees the native session. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      OnnxSession s = session;
      session = null;
      try {
        runner.close();
      } finally {
        if (s != null) {
          s.close();
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("OnnxEmbedder is closed");
    }
  }

  @Override
  public String toString() {
    return "OnnxEmbedder[" + source.describe() + ", " + fingerprint.shortId() + "]";
  }

  /** Configures an {@link OnnxEmbedder}. Not thread-safe. */
  public static final class Builder {
    private final ModelSource source;
    private ModelSpec spec;
    private int intraOpThreads = 1;
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private int tokenBudget = DEFAULT_TOKEN_BUDGET;

    private Builder(ModelSource source, ModelSpec spec) {
      this.source = source;
      this.spec = spec;
    }

    /**
     * Names the model, for messages and store metadata (not part of the fingerprint).
     *
     * @param name the name
     * @return this builder
     */
    public Builder name(String name) {
      return edit(p -> p.name = name);
    }

    /**
     * Overrides the pooling.
     *
     * @param pooling the pooling
     * @return this builder
     */
    public Builder pooling(Pooling pooling) {
      return edit(p -> p.pooling = pooling);
    }

    /**
     * Overrides the token limit, special tokens included.
     *
     * @param maxTokens the limit
     * @return this builder
     */
    public Builder maxTokens(int maxTokens) {
      return edit(p -> p.maxTokens = maxTokens);
    }

    /**
     * Overrides the text put before every query.
     *
     * @param prefix the prefix, may be empty
     * @return this builder
     */
    public Builder queryPrefix(String prefix) {
      return edit(p -> p.queryPrefix = prefix);
    }

    /**
     * Overrides the text put before every document.
     *
     * @param prefix the prefix, may be empty
     * @return this builder
     */
    public Builder documentPrefix(String prefix) {
      return edit(p -> p.documentPrefix = prefix);
    }

    /**
     * Sets what happens to texts over the token limit.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder truncation(TruncationPolicy policy) {
      return edit(p -> p.truncation = policy);
    }

    /**
     * Sets the vectors' dimension, for model folders that do not say it.
     *
     * @param dimension the dimension
     * @return this builder
     */
    public Builder dimension(int dimension) {
      return edit(p -> p.dimension = dimension);
    }

    /**
     * Sets how many batches of one call run at once, each on its own thread (the caller's and pool
     * threads). Default: the available processors. On CPUs, several small batches in parallel beat
     * one large batch spread over all cores (see docs/benchmarks.md).
     *
     * @param threads at least 1
     * @return this builder
     */
    public Builder parallelism(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1; parallelism=" + threads);
      }
      this.parallelism = threads;
      return this;
    }

    /**
     * Sets the threads ONNX Runtime uses inside one inference. Default 1: parallelism comes from
     * running batches side by side ({@link #parallelism(int)}).
     *
     * @param threads at least 1
     * @return this builder
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1; threads=" + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Sets the most padded tokens in one inference batch. Default {@value
     * OnnxEmbedder#DEFAULT_TOKEN_BUDGET}.
     *
     * @param tokens at least 1
     * @return this builder
     */
    public Builder tokenBudget(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("tokenBudget must be >= 1; tokenBudget=" + tokens);
      }
      this.tokenBudget = tokens;
      return this;
    }

    /** Applies one change to the spec; the spec is replaced only if the result is valid. */
    private Builder edit(Consumer<SpecParts> change) {
      SpecParts parts = new SpecParts(spec);
      change.accept(parts);
      spec = parts.toSpec();
      return this;
    }

    /** A {@link ModelSpec} being edited. */
    private static final class SpecParts {
      String name;
      Pooling pooling;
      int maxTokens;
      String queryPrefix;
      String documentPrefix;
      TruncationPolicy truncation;
      int dimension;

      SpecParts(ModelSpec s) {
        name = s.name();
        pooling = s.pooling();
        maxTokens = s.maxTokens();
        queryPrefix = s.queryPrefix();
        documentPrefix = s.documentPrefix();
        truncation = s.truncation();
        dimension = s.dimension();
      }

      ModelSpec toSpec() {
        return new ModelSpec(
            name, pooling, maxTokens, queryPrefix, documentPrefix, truncation, dimension);
      }
    }

    /**
     * Opens the embedder. Reads no model file for a bundled model.
     *
     * @return the embedder
     * @throws IOException if a model folder's files cannot be read
     */
    public OnnxEmbedder build() throws IOException {
      return new OnnxEmbedder(this);
    }
  }
}
