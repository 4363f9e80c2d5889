package dev.embedstore.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The command's standard streams, working folder and exit, in one place: results go to stdout,
 * everything for humans (progress, summaries, errors) to stderr. The rest of the CLI never touches
 * {@code System.out}, and resolves every path the user typed through {@link #path(String)}, so that
 * a command runs the same in the launcher's own JVM and in the background process, where the JVM's
 * streams and working folder are not the client's.
 *
 * <p>One command runs at a time in a JVM (the background process refuses a second one), so the
 * invocation is one field, not a thread-local: threads a command starts see it too.
 */
@SuppressForbidden(reason = "the CLI's single gateway to stdout, stderr and the exit code")
final class Terminal {
  /**
   * The invocation being run for a client of the background process; null in the launcher's JVM.
   */
  private static volatile Invocation relayed;

  private Terminal() {}

  static PrintStream out() {
    Invocation r = relayed;
    return r == null ? System.out : r.out();
  }

  static PrintStream err() {
    Invocation r = relayed;
    return r == null ? System.err : r.err();
  }

  static InputStream in() {
    Invocation r = relayed;
    return r == null ? System.in : r.in();
  }

  /** Whether stderr is a terminal; the launcher says so with {@code -Dembedstore.tty=true}. */
  static boolean tty() {
    Invocation r = relayed;
    return r == null ? Boolean.getBoolean("embedstore.tty") : r.tty();
  }

  /** The folder relative paths are resolved against: the client's, or the JVM's own. */
  static Path cwd() {
    Invocation r = relayed;
    return r == null ? Path.of("").toAbsolutePath() : r.cwd();
  }

  /**
   * A path the user typed, resolved against the working folder ({@link #cwd()}): absolute, so that
   * it names the same file in any JVM.
   */
  static Path path(String typed) {
    return cwd().resolve(typed);
  }

  /** Runs {@code body} with the streams and folder of a client of the background process. */
  static int relay(Invocation invocation, java.util.function.IntSupplier body) {
    relayed = invocation;
    try {
      return body.getAsInt();
    } finally {
      relayed = null;
    }
  }

  static void exit(int code) {
    System.exit(code);
  }
}
