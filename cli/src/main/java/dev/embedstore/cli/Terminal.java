package dev.embedstore.cli;

import java.io.PrintStream;

/**
 * The process's standard streams and exit, in one place: results go to stdout, everything for
 * humans (progress, summaries, errors) to stderr. The rest of the CLI never touches {@code
 * System.out}.
 */
@SuppressForbidden(reason = "the CLI's single gateway to stdout, stderr and the exit code")
final class Terminal {
  private Terminal() {}

  static PrintStream out() {
    return System.out;
  }

  static PrintStream err() {
    return System.err;
  }

  static java.io.InputStream in() {
    return System.in;
  }

  static void exit(int code) {
    System.exit(code);
  }
}
