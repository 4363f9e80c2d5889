package dev.embedstore.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's telemetry never starts in a JVM that embeds through this library, even with none
 * of the variables that switch it off in the environment (no {@code ORT_DISABLE_TELEMETRY}, no
 * {@code CI}, which it also honours). Had it started, it would have left a device id under the
 * child's home and a {@code /tmp/mat-debug-PID.log}, before any upload (which comes seconds later,
 * after the child has ended, so that this test makes no network call even when it fails).
 */
class TelemetryTest {
  @TempDir Path home;

  @Test
  @EnabledOnOs(OS.LINUX) // where ONNX Runtime 1.29's uploader writes those files
  void embeddingStartsNoTelemetry() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                ChildJvm.command(List.of(), TelemetryProbe.class, BundledModel.DEFAULT.modelName()))
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("ORT_DISABLE_TELEMETRY");
    env.remove("CI");
    env.put("HOME", home.toString());
    env.put("XDG_CACHE_HOME", home.resolve("xdg-cache").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertEquals("1", out.lines().reduce((a, b) -> b).orElse(""), out);

    assertFalse(Files.exists(home.resolve(".cache/Microsoft")), "a device id under the home");
    assertFalse(Files.exists(home.resolve("xdg-cache/Microsoft")), "a device id in the cache");
    assertFalse(
        Files.exists(Path.of("/tmp/mat-debug-" + p.pid() + ".log")), "the uploader's log in /tmp");
  }
}
