package dev.embedstore.it;

import static dev.embedstore.it.LauncherIT.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing archives of {@code ./embedstore}: the first run of a command writes one, a
 * later run maps it, a rebuilt jar makes the launcher write it again, and an archive that is
 * garbage, or a folder that cannot be written, never changes what the command prints or returns.
 * Uses the {@code help} command, whose archive no other test touches.
 */
class LauncherCdsIT {
  static final Path CDS = ROOT.resolve("cli/target/cds");
  static final Path ARCHIVE = CDS.resolve("help.jsa");
  static final Path JAR = ROOT.resolve("cli/target/embedstore-cli.jar");

  @TempDir Path tmp;

  /** Runs {@code ./embedstore help} with a class-loading log; returns the run and the log. */
  Run help(Path log) throws Exception {
    return LauncherIT.embedstoreWithOptions("-Xlog:class+load=info:file=" + log, "help");
  }

  static void assertHelp(Run run) {
    assertEquals(0, run.exitCode(), run.stderr());
    // Nothing but the usage on stdout: no CDS warning slipped through.
    assertTrue(run.stdout().startsWith("Usage: embedstore"), run.stdout());
  }

  static boolean mapped(Path log) throws Exception {
    return Files.readString(log, StandardCharsets.UTF_8)
        .contains("dev.embedstore.cli.Main source: shared objects file (top)");
  }

  @Test
  void theFirstRunWritesTheArchiveAndTheNextMapsIt() throws Exception {
    LauncherIT.embedstore("--version"); // builds the jar if the sources changed
    Files.deleteIfExists(ARCHIVE);
    Run first = help(tmp.resolve("1.log"));
    assertHelp(first);
    assertFalse(mapped(tmp.resolve("1.log")), "no archive yet");
    assertTrue(Files.size(ARCHIVE) > 0, "the first run wrote " + ARCHIVE);

    Run second = help(tmp.resolve("2.log"));
    assertHelp(second);
    assertEquals(first.stdout(), second.stdout());
    assertTrue(mapped(tmp.resolve("2.log")), "the second run mapped the archive");

    // A rebuild rewrites the jar: the archive is then stale, written again, and mapped after that.
    FileTime before = Files.getLastModifiedTime(ARCHIVE);
    Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
    assertHelp(help(tmp.resolve("3.log")));
    assertTrue(
        Files.getLastModifiedTime(ARCHIVE).compareTo(Files.getLastModifiedTime(JAR)) > 0,
        "rewritten after the jar changed (was " + before + ")");
    assertHelp(help(tmp.resolve("4.log")));
    assertTrue(mapped(tmp.resolve("4.log")), "the rewritten archive is mapped");
  }

  @Test
  void aGarbageArchiveOrAFolderThatCannotBeWrittenChangesNothing() throws Exception {
    LauncherIT.embedstore("--version");
    Run reference = help(tmp.resolve("0.log"));
    assertHelp(reference);

    // Garbage, newer than the jar, so that the launcher hands it to the JVM.
    Files.createDirectories(CDS);
    Files.write(ARCHIVE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Run garbage = help(tmp.resolve("1.log"));
    assertHelp(garbage);
    assertEquals(reference.stdout(), garbage.stdout());
    assertFalse(mapped(tmp.resolve("1.log")));

    // No folder to write in: cli/target/cds is a file.
    Path saved = ROOT.resolve("cli/target/cds-saved-by-test");
    Files.move(CDS, saved);
    try {
      Files.writeString(CDS, "not a folder");
      Run blocked = help(tmp.resolve("2.log"));
      assertHelp(blocked);
      assertEquals(reference.stdout(), blocked.stdout());
    } finally {
      Files.deleteIfExists(CDS);
      Files.move(saved, CDS);
      Files.deleteIfExists(ARCHIVE);
    }
  }
}
