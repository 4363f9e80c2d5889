package dev.embedstore.cli;

import dev.embedstore.store.SearchMode;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The {@code --mode} option of the commands that search. */
final class ModeOption {
  @Option(
      names = "--mode",
      defaultValue = "vector",
      paramLabel = "MODE",
      description = "vector (default), keyword, hybrid or exact.")
  String mode;

  /** The mode given, or a usage error naming the accepted values. */
  SearchMode parse() throws CliException {
    try {
      return SearchMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--mode takes vector, keyword, hybrid or exact, not " + mode);
    }
  }
}
