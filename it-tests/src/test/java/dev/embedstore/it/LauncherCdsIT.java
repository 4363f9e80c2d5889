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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing archives of {@code ./embedstore}: the first run of a command writes one
 * under its own name, the next moves it into place and maps it, a rebuilt jar makes the launcher
 * write it again, a damaged pending archive is deleted instead of moved into place, and an archive
 * that is garbage, or a folder that cannot be written, never changes what the command prints or
 * returns. Uses the {@code help} command, whose archive no other test touches.
 */
class LauncherCdsIT {
  static final Path CDS = ROOT.resolve("cli/target/cds");
  static final Path ARCHIVE = CDS.resolve("help.jsa");
  static final Path JAR = ROOT.resolve("cli/target/embedstore-cli.jar");

  @TempDir Path tmp;

  /** Runs {@code ./embedstore help} with a class-loading log; returns the run and the log. */
  Run help(Path log) throws Exception {
    // In a JVM of its own: a background process would run help if one were up.
    return LauncherIT.embedstoreInOwnJvm("-Xlog:class+load=info:file=" + log, "help");
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

  /** The archives a run wrote under its PID's name, not yet moved into place. */
  static List<Path> pending() throws Exception {
    try (Stream<Path> files = Files.list(CDS)) {
      return files.filter(f -> f.getFileName().toString().startsWith("help.jsa.")).toList();
    }
  }

  static void deletePending() throws Exception {
    for (Path p : pending()) {
      Files.delete(p);
    }
  }

  @Test
  void theFirstRunWritesTheArchiveAndTheNextMapsIt() throws Exception {
    LauncherIT.embedstore("--version"); // builds the jar if the sources changed
    Files.deleteIfExists(ARCHIVE);
    deletePending();
    Run first = help(tmp.resolve("1.log"));
    assertHelp(first);
    assertFalse(mapped(tmp.resolve("1.log")), "no archive yet");
    assertFalse(pending().isEmpty(), "the first run wrote an archive under its own name");

    Run second = help(tmp.resolve("2.log"));
    assertHelp(second);
    assertEquals(first.stdout(), second.stdout());
    assertTrue(mapped(tmp.resolve("2.log")), "the second run moved the archive in and mapped it");
    assertTrue(pending().isEmpty(), pending().toString());
    // picocli ships Java 5 classes, which an archive skips; the build rewrites them as Java 8 ones
    // (cli/src/build/UpgradeClassFiles.java) so that they are archived too.
    assertTrue(
        Files.readString(tmp.resolve("2.log"), StandardCharsets.UTF_8)
            .contains("picocli.CommandLine source: shared objects file"),
        "picocli's classes come from the archive");

    // A rebuild rewrites the jar: the archive is then stale, written again, and mapped after that.
    Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
    Run third = help(tmp.resolve("3.log"));
    assertHelp(third);
    assertFalse(mapped(tmp.resolve("3.log")), "a stale archive is not used");
    assertHelp(help(tmp.resolve("4.log")));
    assertTrue(mapped(tmp.resolve("4.log")), "the rewritten archive is mapped");
    assertTrue(
        Files.getLastModifiedTime(ARCHIVE).compareTo(Files.getLastModifiedTime(JAR)) > 0,
        "the archive was written after the jar changed");
  }

  @Test
  void aGarbageArchiveOrAFolderThatCannotBeWrittenChangesNothing() throws Exception {
    LauncherIT.embedstore("--version");
    Run reference = help(tmp.resolve("0.log"));
    assertHelp(reference);

    // A valid archive with 16 bytes in its middle overwritten, left as the pending archive of a run
    // that has ended (as a kill in the middle of a dump would leave one): the launcher checks it
    // before moving it into place, and deletes it instead.
    assertHelp(help(tmp.resolve("1.log")));
    assertTrue(mapped(tmp.resolve("1.log")), "the reference run's archive is in place");
    byte[] archive = Files.readAllBytes(ARCHIVE);
    byte[] damaged = archive.clone();
    java.util.Arrays.fill(damaged, damaged.length / 2, damaged.length / 2 + 16, (byte) 0x5a);
    Files.delete(ARCHIVE);
    Path pending = CDS.resolve("help.jsa.999999999"); // above any PID Linux hands out
    Files.write(pending, damaged);
    Run corrupt = help(tmp.resolve("2.log"));
    assertHelp(corrupt);
    assertEquals(reference.stdout(), corrupt.stdout());
    assertFalse(mapped(tmp.resolve("2.log")), "a corrupt archive was mapped");
    assertFalse(Files.exists(pending), "the corrupt pending archive is deleted");
    assertFalse(Files.exists(ARCHIVE), "and not moved into place");
    // A whole one in the same place is checked and moved in.
    deletePending(); // the archive the last run wrote
    Files.write(pending, archive);
    Run whole = help(tmp.resolve("2b.log"));
    assertHelp(whole);
    assertTrue(mapped(tmp.resolve("2b.log")), "a whole pending archive is moved in and mapped");
    assertFalse(Files.exists(pending));

    // Not an archive at all, in place: the JVM refuses it by its header.
    Files.write(ARCHIVE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Run garbage = help(tmp.resolve("3.log"));
    assertHelp(garbage);
    assertEquals(reference.stdout(), garbage.stdout());
    assertFalse(mapped(tmp.resolve("3.log")));

    // No folder to write in: cli/target/cds is a file.
    Path saved = ROOT.resolve("cli/target/cds-saved-by-test");
    Files.move(CDS, saved);
    try {
      Files.writeString(CDS, "not a folder");
      Run blocked = help(tmp.resolve("4.log"));
      assertHelp(blocked);
      assertEquals(reference.stdout(), blocked.stdout());
    } finally {
      Files.deleteIfExists(CDS);
      Files.move(saved, CDS);
      Files.deleteIfExists(ARCHIVE);
    }
  }
}
