package dev.embedstore.onnx;

import dev.embedstore.embed.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A child process for {@code OnnxEmbedderTest}: opens a bundled model (with whatever {@code
 * embedstore.unpack.dir} it was given), embeds one text and prints the vector, then the lines of
 * {@code /proc/self/maps} that name a file under {@code args[1]}: which of the unpacked files this
 * process mapped.
 */
public final class UnpackedLoad {
  static final String TEXT = "a model mapped from its unpacked copy";

  private UnpackedLoad() {}

  /**
   * Loads, embeds and reports.
   *
   * @param args the model's name and the unpack folder
   * @throws Exception if anything fails (the exit code is then 1)
   */
  public static void main(String[] args) throws Exception {
    float[] v;
    try (OnnxEmbedder model = OnnxEmbedder.open(args[0])) {
      v = model.embed(List.of(TEXT), Role.DOCUMENT).get(0);
      System.out.println(Arrays.toString(v));
      Path maps = Path.of("/proc/self/maps");
      if (Files.isReadable(maps)) {
        Files.readAllLines(maps, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains(args[1]))
            .map(l -> "mapped " + l.substring(l.indexOf('/')))
            .distinct()
            .forEach(System.out::println);
      }
    }
  }
}
