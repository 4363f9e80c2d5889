package dev.embedstore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Scratch folders of benchmark runs. */
public final class TempFolders {
  private TempFolders() {}

  /**
   * Deletes a folder and everything in it.
   *
   * @param root the folder
   * @throws IOException if something cannot be deleted
   */
  public static void delete(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
