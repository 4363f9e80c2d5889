package dev.embedstore.onnx;

import dev.embedstore.onnx.internal.Unpacked;
import dev.embedstore.onnx.internal.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * Where a model's ONNX file and tokenizer come from: a bundled model on the class path, or a folder
 * on disk. Knows the files' digests for the fingerprint, and checks them again when the model is
 * loaded.
 */
sealed interface ModelSource {

  /** How to name the model in messages, such as {@code bundled model all-minilm-l6-v2}. */
  String describe();

  /** The SHA-256 of the ONNX file, without reading it when it is known in advance. */
  byte[] onnxDigest() throws IOException;

  /** The SHA-256 of the tokenizer file. */
  byte[] tokenizerDigest() throws IOException;

  /** Reads the tokenizer. */
  WordPieceTokenizer loadTokenizer() throws IOException;

  /**
   * Reads the ONNX file into a direct buffer, checking that its digest is {@link #onnxDigest()}.
   *
   * @throws IOException if it cannot be read or its bytes are not the expected ones
   */
  ByteBuffer loadModel() throws IOException;

  /**
   * Where this model's ORT-format copies live ({@code OrtFormatCopy}), or null for none: a bundled
   * model when the unpacked folder is set.
   */
  default Path ortStem() {
    return null;
  }

  /** A model that ships inside a Maven artifact on the class path. */
  record Bundled(BundledModel model, ClassLoader loader) implements ModelSource {

    /**
     * The bundled model as the class loader sees it, checking that its files are there.
     *
     * @throws IllegalArgumentException if a file is missing; the message names the artifact to add
     *     (or, when the model artifact is present without its files, the dependency it lost)
     */
    static Bundled find(BundledModel model, ClassLoader loader) {
      List<String> missing = new ArrayList<>(2);
      for (String name : List.of(model.onnxResource(), model.tokenizerResource())) {
        if (loader.getResource(name) == null) {
          missing.add(name);
        }
      }
      if (missing.isEmpty()) {
        return new Bundled(model, loader);
      }
      URL marker = loader.getResource(model.markerResource());
      if (marker == null) {
        throw new IllegalArgumentException(
            "the bundled model "
                + model.modelName()
                + " is not on the class path; add the Maven artifact "
                + model.coordinates()
                + " to the application (embedstore-bom gives its version)");
      }
      throw new IllegalArgumentException(
          "the bundled model "
              + model.modelName()
              + " has no "
              + String.join(" nor ", missing)
              + " on the class path: "
              + model.coordinates()
              + " is there ("
              + marker
              + ") but not the jar with its files, "
              + filesArtifact(model, marker)
              + "; do not exclude that dependency of "
              + model.artifactId());
    }

    /**
     * The files' artifact with the version the marker names, or without one if it is unreadable.
     */
    private static String filesArtifact(BundledModel model, URL marker) {
      Properties props = new Properties();
      try (InputStream in = marker.openStream()) {
        props.load(in);
      } catch (IOException e) {
        return model.filesArtifact();
      }
      return props.getProperty("files", model.filesArtifact());
    }

    @Override
    public String describe() {
      return "bundled model " + model.modelName();
    }

    @Override
    public byte[] onnxDigest() {
      return model.onnxSha256();
    }

    @Override
    public byte[] tokenizerDigest() {
      return model.tokenizerSha256();
    }

    @Override
    public WordPieceTokenizer loadTokenizer() throws IOException {
      URL url = resource(model.tokenizerResource());
      byte[] bytes;
      try (InputStream in = url.openStream()) {
        bytes = in.readAllBytes();
      }
      checkDigest(sha256(ByteBuffer.wrap(bytes)), model.tokenizerSha256(), url.toString());
      return WordPieceTokenizer.load(new java.io.ByteArrayInputStream(bytes), url.toString());
    }

    @Override
    public ByteBuffer loadModel() throws IOException {
      return loadModel(Unpacked.folder());
    }

    /**
     * Loads the ONNX file from its copy in {@code unpacked} (a folder of {@link Unpacked}, or null)
     * when that copy is intact, else from the jar, leaving a copy there for the next process.
     */
    ByteBuffer loadModel(Path unpacked) throws IOException {
      if (unpacked == null) {
        return loadModelFromJar();
      }
      Path stem = stem(unpacked);
      Path copy = stem.resolveSibling(stem.getFileName() + ".onnx");
      ByteBuffer mapped = Unpacked.mapIfIntact(copy, model.onnxLength(), model.onnxCrc32());
      if (mapped != null) {
        return mapped;
      }
      ByteBuffer fromJar = loadModelFromJar();
      Unpacked.write(copy, fromJar);
      return fromJar;
    }

    @Override
    public Path ortStem() {
      Path unpacked = Unpacked.folder();
      return unpacked == null ? null : stem(unpacked);
    }

    /** The model's files in the unpacked folder: its name and the start of its SHA-256. */
    private Path stem(Path unpacked) {
      return unpacked.resolve(
          model.modelName() + "-" + HexFormat.of().formatHex(model.onnxSha256(), 0, 8));
    }

    private ByteBuffer loadModelFromJar() throws IOException {
      URL url = resource(model.onnxResource());
      URLConnection connection = url.openConnection();
      long length = connection.getContentLengthLong();
      try (InputStream in = connection.getInputStream()) {
        ByteBuffer buffer;
        CRC32 crc = new CRC32();
        if (length > 0 && length < Integer.MAX_VALUE) {
          buffer = ByteBuffer.allocateDirect((int) length);
          byte[] chunk = new byte[1 << 16];
          for (int n; (n = in.read(chunk)) != -1; ) {
            if (n > buffer.remaining()) {
              throw new IOException(url + " is longer than its declared length " + length);
            }
            buffer.put(chunk, 0, n);
            crc.update(chunk, 0, n);
          }
          buffer.flip();
        } else {
          byte[] bytes = in.readAllBytes();
          crc.update(bytes);
          buffer = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        }
        // The recorded SHA-256 is the model's identity (its fingerprint), and a build-time test
        // checks it against these very files, with their length and CRC-32. Checking the bytes read
        // against the length and CRC-32 proves they are those files at a fraction of the cost:
        // a SHA-256 of the 90 MB fp32 model takes 0.55 s where the JIT stops at C1 (as for a
        // one-query search; 0.05 s with C2), CRC-32 is intrinsic in both. Any other file gets the
        // full check, which names the mismatch.
        if (buffer.remaining() != model.onnxLength() || crc.getValue() != model.onnxCrc32()) {
          checkDigest(sha256(buffer.duplicate()), model.onnxSha256(), url.toString());
        }
        return buffer;
      }
    }

    private URL resource(String name) throws IOException {
      URL url = loader.getResource(name);
      if (url == null) {
        throw new NoSuchFileException(
            name,
            null,
            "the "
                + describe()
                + " is no longer on the class path; add the Maven artifact "
                + model.coordinates());
      }
      return url;
    }
  }

  /**
   * A model folder on disk: {@code model.onnx} (or {@code onnx/model.onnx}) and {@code
   * tokenizer.json}.
   */
  record Directory(
      Path folder, Path onnx, Path tokenizer, byte[] onnxSha256, byte[] tokenizerSha256)
      implements ModelSource {

    /** Finds the files in a folder and hashes them. */
    static Directory open(Path folder) throws IOException {
      if (!Files.isDirectory(folder)) {
        throw new NoSuchFileException(folder.toString(), null, "no such model folder");
      }
      Path onnx = folder.resolve("model.onnx");
      if (!Files.isRegularFile(onnx)) {
        onnx = folder.resolve("onnx").resolve("model.onnx");
      }
      if (!Files.isRegularFile(onnx)) {
        throw new NoSuchFileException(
            folder.resolve("model.onnx").toString(),
            null,
            "the model folder has no model.onnx (nor onnx/model.onnx)");
      }
      Path tokenizer = folder.resolve("tokenizer.json");
      if (!Files.isRegularFile(tokenizer)) {
        throw new NoSuchFileException(
            tokenizer.toString(),
            null,
            "the model folder has no tokenizer.json; export the model's Hugging Face tokenizer"
                + " beside model.onnx");
      }
      return new Directory(folder, onnx, tokenizer, fileDigest(onnx), fileDigest(tokenizer));
    }

    @Override
    public String describe() {
      return "model folder " + folder;
    }

    @Override
    public byte[] onnxDigest() {
      return onnxSha256.clone();
    }

    @Override
    public byte[] tokenizerDigest() {
      return tokenizerSha256.clone();
    }

    @Override
    public WordPieceTokenizer loadTokenizer() throws IOException {
      byte[] bytes = Files.readAllBytes(tokenizer);
      checkDigest(sha256(ByteBuffer.wrap(bytes)), tokenizerSha256, tokenizer.toString());
      return WordPieceTokenizer.load(new java.io.ByteArrayInputStream(bytes), tokenizer.toString());
    }

    @Override
    public ByteBuffer loadModel() throws IOException {
      try (FileChannel ch = FileChannel.open(onnx, StandardOpenOption.READ)) {
        MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        checkDigest(sha256(mapped.duplicate()), onnxSha256, onnx.toString());
        return mapped;
      }
    }

    private static byte[] fileDigest(Path file) throws IOException {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        return ModelSource.sha256(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
      }
    }
  }

  private static void checkDigest(byte[] actual, byte[] expected, String what) throws IOException {
    if (!MessageDigest.isEqual(actual, expected)) {
      HexFormat hex = HexFormat.of();
      throw new IOException(
          what
              + " has SHA-256 "
              + hex.formatHex(actual)
              + " but "
              + hex.formatHex(expected)
              + " was expected: the file changed after the model was opened, or the wrong artifact"
              + " version is on the class path");
    }
  }

  private static byte[] sha256(ByteBuffer bytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(bytes);
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is missing from this JVM", e);
    }
  }
}
