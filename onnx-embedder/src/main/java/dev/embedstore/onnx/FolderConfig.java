package dev.embedstore.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.embedstore.onnx.internal.ConfigFiles;
import dev.embedstore.onnx.internal.OnnxSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the spec of a model folder from the sentence-transformers files beside the model, when
 * present: {@code 1_Pooling/config.json} (pooling mode, {@code word_embedding_dimension}), {@code
 * sentence_bert_config.json} ({@code max_seq_length}) and {@code config.json} ({@code hidden_size},
 * {@code max_position_embeddings}). Without them: mean pooling and 512 tokens; the dimension is
 * then read from the ONNX graph's output shape, which loads the model once.
 */
final class FolderConfig {
  private FolderConfig() {}

  static ModelSpec read(Path folder) throws IOException {
    Map<String, Object> pooling = ConfigFiles.readObject(folder.resolve("1_Pooling/config.json"));
    Map<String, Object> stConfig =
        ConfigFiles.readObject(folder.resolve("sentence_bert_config.json"));
    Map<String, Object> hfConfig = ConfigFiles.readObject(folder.resolve("config.json"));

    Pooling mode =
        Boolean.TRUE.equals(pooling.get("pooling_mode_cls_token")) ? Pooling.CLS : Pooling.MEAN;
    int maxTokens = ConfigFiles.intOr(stConfig.get("max_seq_length"), 0);
    if (maxTokens <= 0) {
      maxTokens = Math.min(512, ConfigFiles.intOr(hfConfig.get("max_position_embeddings"), 512));
    }
    int dimension = ConfigFiles.intOr(pooling.get("word_embedding_dimension"), 0);
    if (dimension <= 0) {
      dimension = ConfigFiles.intOr(hfConfig.get("hidden_size"), 0);
    }
    if (dimension <= 0) {
      dimension = dimensionFromGraph(ModelSource.Directory.open(folder).onnx());
    }
    Path name = folder.toAbsolutePath().normalize().getFileName();
    return new ModelSpec(
        name == null ? folder.toString() : name.toString(),
        mode,
        maxTokens,
        "",
        "",
        TruncationPolicy.TRUNCATE,
        dimension);
  }

  private static int dimensionFromGraph(Path onnx) throws IOException {
    return OnnxSession.onLoadThread(onnx.toString(), () -> dimensionFromGraphHere(onnx));
  }

  private static int dimensionFromGraphHere(Path onnx) throws IOException {
    try (OrtSession s =
        dev.embedstore.onnx.internal.OrtTelemetry.environment().createSession(onnx.toString())) {
      for (NodeInfo out : s.getOutputInfo().values()) {
        if (out.getInfo() instanceof TensorInfo t) {
          long last = t.getShape()[t.getShape().length - 1];
          if (last > 0) {
            return (int) last;
          }
        }
      }
      throw new IOException(
          onnx + ": the output has no fixed last dimension; give the dimension explicitly");
    } catch (OrtException e) {
      throw new IOException("cannot load the ONNX model " + onnx + ": " + e.getMessage(), e);
    }
  }
}
