package dev.embedstore.cli;

/**
 * A failure the user can act on: its message is printed after {@code error: } as it is, so it names
 * the thing at fault and what to do, and the process exits with {@link #exitCode()}.
 */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The exit code of a failure. */
  static final int FAILURE = 1;

  /** The exit code of a usage error. */
  static final int USAGE = 2;

  private final int exitCode;

  CliException(String message) {
    this(message, FAILURE, null);
  }

  CliException(String message, Throwable cause) {
    this(message, FAILURE, cause);
  }

  CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(message, USAGE, null);
  }

  int exitCode() {
    return exitCode;
  }
}
