package dev.embedstore.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What one run of a command sees of the process that asked for it: its working folder, its standard
 * streams, and whether its stderr is a terminal. A command started by the launcher runs with the
 * JVM's own ({@link Main#main}); one run by the background process ({@code
 * dev.embedstore.cli.daemon}) runs with its client's, relayed over a socket.
 *
 * @param cwd the folder relative paths on the command line are resolved against (absolute)
 * @param in standard input
 * @param out standard output: results
 * @param err standard error: progress, warnings, errors
 * @param tty whether {@code err} is a terminal (the progress display is drawn only then)
 */
public record Invocation(Path cwd, InputStream in, PrintStream out, PrintStream err, boolean tty) {
  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if {@code cwd} is relative
   */
  public Invocation {
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    if (!cwd.isAbsolute()) {
      throw new IllegalArgumentException("cwd must be absolute; cwd=" + cwd);
    }
  }
}
