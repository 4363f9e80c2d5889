package dev.embedstore.onnx;

import dev.embedstore.embed.Role;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A child process for {@code OnnxEmbedderTest}: opens a bundled model and embeds one text on a
 * thread whose stack is {@code args[1]} KiB, then prints the vector.
 */
public final class SmallStackLoad {
  static final String TEXT = "a model loaded on a small stack";

  private SmallStackLoad() {}

  /**
   * Loads and embeds.
   *
   * @param args the model's name and the thread's stack in KiB
   * @throws Exception if the thread cannot be joined
   */
  public static void main(String[] args) throws Exception {
    AtomicReference<Object> got = new AtomicReference<>();
    Thread small =
        new Thread(
            null,
            () -> {
              try (OnnxEmbedder model = OnnxEmbedder.open(args[0])) {
                got.set(model.embed(List.of(TEXT), Role.DOCUMENT).get(0));
              } catch (Throwable e) {
                got.set(e);
              }
            },
            "small-stack",
            Long.parseLong(args[1]) * 1024);
    small.start();
    small.join();
    if (got.get() instanceof float[] v) {
      System.out.println(Arrays.toString(v));
    } else {
      System.out.println("failed: " + got.get());
      System.exit(1);
    }
  }
}
