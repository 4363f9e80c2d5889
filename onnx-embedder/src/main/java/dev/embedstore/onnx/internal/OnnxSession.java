package dev.embedstore.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.embedstore.embed.EmbeddingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One ONNX Runtime session of a BERT-style model, and the running of one padded batch through it.
 * Every tensor and result is closed in the method that made it.
 *
 * <p><b>NOTE</b>: {@link #run} is thread-safe (ONNX Runtime sessions are); {@link #close()} frees
 * the native session and must not overlap a run: its owner makes sure no run is in flight.
 */
public final class OnnxSession implements AutoCloseable {
  private final OrtSession session;
  private final boolean hasTokenTypes;
  private final String outputName;
  private final String description;
  private final boolean batchDependent;
  // The bytes the session was made from: a session from an ORT-format copy reads its weights from
  // them, so they must stay mapped for as long as it lives.
  private final ByteBuffer modelBytes;

  private OnnxSession(
      OrtSession session,
      boolean hasTokenTypes,
      String outputName,
      String description,
      boolean batchDependent,
      ByteBuffer modelBytes) {
    this.session = session;
    this.modelBytes = modelBytes;
    this.hasTokenTypes = hasTokenTypes;
    this.outputName = outputName;
    this.description = description;
    this.batchDependent = batchDependent;
  }

  /**
   * Whether a text's vector depends on the other texts of its batch: true for a dynamically
   * quantised graph ({@code DynamicQuantizeLinear} computes one scale from the whole input tensor,
   * padding included), so that the same text embedded among other neighbours differs by far more
   * than the last bits (cosine 0.99 with all-MiniLM-L6-v2's int8 graph). Such a model must run one
   * text per inference to give every text one vector.
   *
   * @return whether batching changes vectors
   */
  public boolean batchDependent() {
    return batchDependent;
  }

  /**
   * Whether the graph holds an op whose output depends on its whole input tensor: {@code
   * DynamicQuantizeLinear}, or what the optimiser fuses it into ({@code DynamicQuantizeMatMul}, as
   * in an ORT-format copy), or {@code DynamicQuantizeLSTM}.
   */
  private static boolean hasDynamicQuantization(ByteBuffer model) {
    return contains(model, "DynamicQuantize".getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Whether {@code needle} occurs in the buffer's bytes from 0 to its limit. A Boyer-Moore-Horspool
   * scan over windows copied out in bulk: a float32 model is 90 MB without the needle, and a loop
   * of single {@code get}s over a mapped buffer took about 0.4 s of a one-query search's 1.4 s (C1,
   * the short commands' compiler); this reads each byte at most once and skips most of them.
   *
   * @param buffer the bytes; neither its position nor its limit changes
   * @param needle what to look for, not empty
   * @return whether it occurs
   */
  static boolean contains(ByteBuffer buffer, byte[] needle) {
    int m = needle.length;
    int[] shift = new int[256];
    java.util.Arrays.fill(shift, m);
    for (int i = 0; i < m - 1; i++) {
      shift[needle[i] & 0xFF] = m - 1 - i;
    }
    byte last = needle[m - 1];
    byte[] window = new byte[Math.max(SCAN_WINDOW, 2 * m)];
    int limit = buffer.limit();
    // Each window starts m - 1 bytes before the previous one ended, so no match spans two unseen.
    for (int start = 0; start <= limit - m; start += window.length - (m - 1)) {
      int length = Math.min(window.length, limit - start);
      buffer.get(start, window, 0, length);
      for (int end = m - 1; end < length; ) {
        byte b = window[end];
        if (b == last && matchesAt(window, end - (m - 1), needle)) {
          return true;
        }
        end += shift[b & 0xFF];
      }
      if (start + length == limit) {
        break;
      }
    }
    return false;
  }

  private static boolean matchesAt(byte[] window, int from, byte[] needle) {
    for (int j = 0; j < needle.length - 1; j++) {
      if (window[from + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private static final int SCAN_WINDOW = 1 << 20;

  /** Reads a model's ONNX file, only when it is needed. */
  @FunctionalInterface
  public interface OnnxFile {
    /**
     * The ONNX file's bytes.
     *
     * @return them, in a direct buffer
     * @throws IOException if they cannot be read or are not the expected ones
     */
    ByteBuffer read() throws IOException;
  }

  /**
   * Creates a session and checks the graph: BERT inputs, an output of the expected dimension.
   *
   * @param onnx reads the ONNX file
   * @param ortStem where the model's ORT-format copies live ({@link OrtFormatCopy#stem}, without
   *     ONNX Runtime's version, which this adds), or null to make the session from the ONNX file at
   *     {@code ALL_OPT} and write no copy
   * @param description the model, for messages
   * @param dimension the vectors' expected dimension
   * @param intraOpThreads the threads ONNX Runtime uses inside one run
   * @return the session; close it
   * @throws IOException if the model cannot be loaded or is not BERT-style
   */
  public static OnnxSession create(
      OnnxFile onnx, Path ortStem, String description, int dimension, int intraOpThreads)
      throws IOException {
    return onLoadThread(
        description, () -> createHere(onnx, ortStem, description, dimension, intraOpThreads));
  }

  /**
   * Runs work that makes an ONNX Runtime session on a thread of its own with a large stack.
   *
   * <p>ONNX Runtime's graph optimiser needs about 1 MiB of stack to load the bundled models: more
   * than a default Java thread's 1 MiB (Linux x64) in some processes, and the overflow kills the
   * JVM with a SIGSEGV it cannot report (seen with a long class path). So sessions are made on a
   * thread with room to spare; the caller waits, and an interrupt neither abandons the load nor
   * leaks what it makes (the caller's interrupt flag is set again afterwards).
   *
   * @param description the model, for messages
   * @param work makes the session
   * @param <T> what it returns
   * @return what the work returned
   * @throws IOException what the work threw
   */
  public static <T> T onLoadThread(String description, Callable<T> work) throws IOException {
    Unpacked.prepareOnnxRuntime(); // before the binding loads its native library
    FutureTask<T> load = new FutureTask<>(work);
    Thread.ofPlatform()
        .name("embedstore-onnx-load")
        .daemon()
        .stackSize(LOAD_STACK_BYTES)
        .start(load);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return load.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          switch (e.getCause()) {
            case IOException io -> throw io;
            case RuntimeException re -> throw re;
            case Error err -> throw err;
            default -> throw new IOException("loading " + description + " failed", e.getCause());
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The stack of the thread that loads a model: a reservation, committed only as it is used. */
  static final long LOAD_STACK_BYTES = 16L << 20;

  private static OnnxSession createHere(
      OnnxFile onnx, Path ortStem, String description, int dimension, int intraOpThreads)
      throws IOException {
    OrtEnvironment env = OrtTelemetry.environment();
    try {
      Path stem = ortStem == null ? null : OrtFormatCopy.stem(ortStem, env.getVersion());
      if (stem != null) {
        OrtFormatCopy.Copy copy = OrtFormatCopy.map(stem);
        if (copy != null) {
          try (OrtSession.SessionOptions options = options(intraOpThreads, OptLevel.EXTENDED_OPT)) {
            options.addConfigEntry("session.load_model_format", "ORT");
            options.addConfigEntry("session.use_ort_model_bytes_directly", "1");
            options.addConfigEntry("session.use_ort_model_bytes_for_initializers", "1");
            return checked(
                env.createSession(copy.bytes(), options), copy.bytes(), description, dimension);
          } catch (OrtException e) {
            Unpacked.deleteQuietly(
                copy.file()); // not one this ONNX Runtime reads: made again below
          }
        }
      }
      ByteBuffer model = onnx.read();
      Path part = stem == null ? null : OrtFormatCopy.newPart(stem);
      if (part != null) {
        OrtSession s;
        try (OrtSession.SessionOptions options = options(intraOpThreads, OptLevel.EXTENDED_OPT)) {
          options.setOptimizedModelFilePath(part.toString());
          options.addConfigEntry("session.save_model_format", "ORT");
          s = env.createSession(model, options);
        } catch (OrtException e) {
          s = null; // saving failed: the plain session below says what is wrong, if anything is
        }
        if (s != null) {
          OnnxSession out = checked(s, model, description, dimension);
          OrtFormatCopy.publish(part, stem);
          return out;
        }
        Unpacked.deleteQuietly(part);
      }
      try (OrtSession.SessionOptions options = options(intraOpThreads, OptLevel.ALL_OPT)) {
        return checked(env.createSession(model, options), model, description, dimension);
      }
    } catch (OrtException e) {
      throw new IOException(
          "cannot load the ONNX model of " + description + ": " + e.getMessage(), e);
    }
  }

  private static OrtSession.SessionOptions options(int intraOpThreads, OptLevel level)
      throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setOptimizationLevel(level);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /** Checks a new session's graph; closes it if that fails. */
  private static OnnxSession checked(
      OrtSession s, ByteBuffer model, String description, int dimension)
      throws IOException, OrtException {
    boolean success = false;
    try {
      Map<String, NodeInfo> in = s.getInputInfo();
      if (!in.containsKey("input_ids") || !in.containsKey("attention_mask")) {
        throw new IOException(
            description + " is not a BERT-style model: its inputs are " + in.keySet());
      }
      Map<String, NodeInfo> outputs = s.getOutputInfo();
      String name =
          outputs.containsKey("last_hidden_state")
              ? "last_hidden_state"
              : outputs.keySet().iterator().next();
      if (outputs.get(name).getInfo() instanceof TensorInfo info) {
        long[] shape = info.getShape();
        long last = shape[shape.length - 1];
        if (last > 0 && last != dimension) {
          throw new IOException(
              description
                  + " outputs vectors of dimension "
                  + last
                  + ", but its spec says "
                  + dimension);
        }
      }
      OnnxSession out =
          new OnnxSession(
              s,
              in.containsKey("token_type_ids"),
              name,
              description,
              hasDynamicQuantization(model),
              model);
      success = true;
      return out;
    } finally {
      if (!success) {
        s.close();
      }
    }
  }

  /**
   * Runs one batch: texts {@code order[batch.from()] .. order[batch.to() - 1]} padded to the
   * batch's length, each row pooled into {@code out[textIndex]}.
   *
   * @param ids every text's token ids
   * @param order text indices sorted by length
   * @param batch the batch
   * @param padId the padding token
   * @param pooler pools each row
   * @param out where each text's vector goes
   * @return nanoseconds spent in ONNX Runtime
   * @throws EmbeddingException if ONNX Runtime fails
   */
  public long run(
      int[][] ids, int[] order, Batches.Batch batch, int padId, Pooler pooler, float[][] out) {
    int n = batch.size();
    int len = batch.length();
    OrtEnvironment env = OrtTelemetry.environment();
    LongBuffer inputIds = directLongs(n * len);
    LongBuffer mask = directLongs(n * len);
    for (int r = 0; r < n; r++) {
      int[] row = ids[order[batch.from() + r]];
      for (int t = 0; t < len; t++) {
        boolean real = t < row.length;
        inputIds.put(real ? row[t] : padId);
        mask.put(real ? 1 : 0);
      }
    }
    inputIds.flip();
    mask.flip();
    long[] shape = {n, len};
    long t0 = System.nanoTime();
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, inputIds, shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask, shape);
        OnnxTensor typesTensor =
            hasTokenTypes ? OnnxTensor.createTensor(env, directLongs(n * len), shape) : null) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", idsTensor);
      inputs.put("attention_mask", maskTensor);
      if (typesTensor != null) {
        inputs.put("token_type_ids", typesTensor);
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        OnnxTensor hidden = (OnnxTensor) result.get(0);
        long[] outShape = hidden.getInfo().getShape();
        FloatBuffer values = hidden.getFloatBuffer();
        long nanos = System.nanoTime() - t0;
        for (int r = 0; r < n; r++) {
          int textIndex = order[batch.from() + r];
          out[textIndex] = pooler.pool(values, outShape, r, ids[textIndex].length);
        }
        return nanos;
      }
    } catch (OrtException e) {
      throw new EmbeddingException(
          "ONNX Runtime failed on a batch of "
              + n
              + " texts of "
              + len
              + " tokens with "
              + description,
          e);
    }
  }

  private static LongBuffer directLongs(int n) {
    return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  /**
   * Frees the native session.
   *
   * @throws EmbeddingException if ONNX Runtime fails to
   */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new EmbeddingException("closing the ONNX session of " + description + " failed", e);
    } finally {
      java.lang.ref.Reference.reachabilityFence(modelBytes);
    }
  }
}
