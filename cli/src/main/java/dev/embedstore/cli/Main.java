package dev.embedstore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code embedstore} command: parses the command line, runs one sub-command and ends the JVM
 * with its exit code (0 success, 1 failure, 2 usage error).
 */
@Command(
    name = "embedstore",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "A local vector store on Apache Lucene whose ONNX embeddings are never computed twice.",
      ""
    },
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  private Main() {}

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    int code = run(args);
    Terminal.exit(code);
  }

  /**
   * Runs the command line without ending the JVM, for tests.
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    // No sub-command: show what there is.
    CommandLine.usage(this, Terminal.err());
  }

  /** The version printed by {@code --version}, from the jar's manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"embedstore " + (v == null ? "(development build)" : v)};
    }
  }
}
