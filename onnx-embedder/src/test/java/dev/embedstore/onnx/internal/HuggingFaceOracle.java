package dev.embedstore.onnx.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Hugging Face's own tokenizer (the Rust library, through DJL), the reference our tokenizer must
 * equal. Test scope only; the test JVM runs DJL offline ({@code -Dai.djl.offline=true}, {@code
 * OPT_OUT_TRACKING=true}), so it makes no network call.
 */
final class HuggingFaceOracle implements AutoCloseable {
  final Path file;
  private final HuggingFaceTokenizer tokenizer;

  private HuggingFaceOracle(Path file, HuggingFaceTokenizer tokenizer) {
    this.file = file;
    this.tokenizer = tokenizer;
  }

  /** Copies a bundled tokenizer.json to a temporary file and opens both tokenizers on it. */
  static HuggingFaceOracle forResource(String resource, Path dir) throws IOException {
    Path file = dir.resolve(resource);
    try (InputStream in = HuggingFaceOracle.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return new HuggingFaceOracle(
        file,
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(file)
            .optAddSpecialTokens(true)
            .optTruncation(false)
            .optPadding(false)
            .build());
  }

  long[] ids(String text) {
    return tokenizer.encode(text).getIds();
  }

  long[][] ids(List<String> texts) {
    var encodings = tokenizer.batchEncode(texts.toArray(new String[0]));
    long[][] out = new long[encodings.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = encodings[i].getIds();
    }
    return out;
  }

  /**
   * The ids of a text truncated to {@code maxTokens} (special tokens included), as HF truncates.
   */
  long[] truncatedIds(String text, int maxTokens) throws IOException {
    try (HuggingFaceTokenizer t =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(file)
            .optAddSpecialTokens(true)
            .optTruncation(true)
            .optMaxLength(maxTokens)
            .optPadding(false)
            .build()) {
      return t.encode(text).getIds();
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
