package dev.embedstore.onnx;

import dev.embedstore.embed.Role;
import java.util.List;

/** A child JVM for {@link TelemetryTest}: opens a bundled model and embeds one text. */
public final class TelemetryProbe {
  private TelemetryProbe() {}

  /**
   * Embeds one text with the model named.
   *
   * @param args the model's name
   * @throws Exception if anything fails (the exit code is then 1)
   */
  public static void main(String[] args) throws Exception {
    try (OnnxEmbedder model = OnnxEmbedder.open(args[0])) {
      System.out.println(model.embed(List.of("a text, embedded offline"), Role.DOCUMENT).size());
    }
  }
}
