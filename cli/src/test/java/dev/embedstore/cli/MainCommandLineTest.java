package dev.embedstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command line that names a sub-command gets only that one's model; one that names none (help, a
 * misspelling) gets all of them, and what the user sees is the same either way.
 */
class MainCommandLineTest {
  @TempDir Path tmp;

  private static final Set<String> ALL =
      Set.of(
          "index", "search", "delete", "stats", "embed", "cache", "check", "eval", "demo", "serve",
          "daemon", "help");

  @Test
  void aNamedCommandIsTheOnlyOneBuilt() {
    assertEquals(Set.of("index"), Main.commandLine("index", "x.jsonl").getSubcommands().keySet());
    assertEquals(
        Set.of("search"), Main.commandLine("--verbose", "search", "q").getSubcommands().keySet());
    assertEquals(Set.of("cache"), Main.commandLine("cache", "export").getSubcommands().keySet());
  }

  @Test
  void namingNoneBuildsThemAll() {
    for (List<String> args :
        List.of(
            List.<String>of(),
            List.of("--help"),
            List.of("help", "index"),
            List.of("idnex"),
            List.of("--verbose"),
            List.of("--version"))) {
      assertEquals(
          ALL,
          Main.commandLine(args.toArray(String[]::new)).getSubcommands().keySet(),
          args.toString());
    }
  }

  @Test
  void helpListsEveryCommandAndAMisspellingGetsASuggestion() {
    MainInvocationTest.Result help = MainInvocationTest.run(tmp, "", "--help");
    assertEquals(0, help.outcome().exitCode());
    for (String name : ALL) {
      assertTrue(help.out().contains("\n  " + name + " "), name + " in:\n" + help.out());
    }
    MainInvocationTest.Result typo = MainInvocationTest.run(tmp, "", "idnex");
    assertEquals(2, typo.outcome().exitCode());
    assertTrue(typo.err().contains("index"), typo.err());
  }

  @Test
  void theInheritedVerboseOptionStillReachesTheNamedCommand() {
    MainInvocationTest.Result before =
        MainInvocationTest.run(tmp, "", "--verbose", "stats", "--store", "none");
    MainInvocationTest.Result after =
        MainInvocationTest.run(tmp, "", "stats", "--store", "none", "--verbose");
    for (MainInvocationTest.Result r : List.of(before, after)) {
      assertEquals(1, r.outcome().exitCode(), r.err());
      assertTrue(r.err().startsWith("error: no store at "), r.err());
      assertTrue(r.err().contains("\tat "), "--verbose prints the stack trace: " + r.err());
    }
    MainInvocationTest.Result quiet = MainInvocationTest.run(tmp, "", "stats", "--store", "none");
    assertTrue(!quiet.err().contains("\tat "), quiet.err());
  }

  @Test
  void outOfMemoryNamesTheHeapAndAsksForTwiceIt() {
    assertEquals(
        "out of memory (Java heap space) in a heap of at most 48 MB; give the command more, for"
            + " example EMBEDSTORE_JAVA_OPTS=-Xmx1g",
        Main.outOfMemory(new OutOfMemoryError("Java heap space"), 48L << 20));
    assertTrue(
        Main.outOfMemory(new OutOfMemoryError(), 6L << 30).endsWith("-Xmx12g"),
        Main.outOfMemory(new OutOfMemoryError(), 6L << 30));
    assertTrue(Main.outOfMemory(new OutOfMemoryError(), 1L << 30).startsWith("out of memory (Out"));
  }
}
