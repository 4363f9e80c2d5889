package dev.embedstore.cli;

import dev.embedstore.cli.daemon.DaemonClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code embedstore} command: parses the command line, runs one sub-command and ends the JVM
 * with its exit code: 0 success, 1 failure, 2 usage error. A failure is one line on stderr starting
 * {@code error: } that names the thing at fault; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "embedstore",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "A local vector store on Apache Lucene whose ONNX embeddings are never computed twice.",
      ""
    })
public final class Main implements Runnable {
  /**
   * The sub-commands, in the order the help lists them. Picocli builds a command's model (its
   * options, by reflection) when the command is added, which for all of them costs 13-30 ms in a
   * warm JVM and a quarter of a second in a new one; a command line that names one gets only that
   * one.
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
          IndexCommand.class,
          SearchCommand.class,
          DeleteCommand.class,
          StatsCommand.class,
          EmbedCommand.class,
          CacheCommand.class,
          CheckCommand.class,
          EvalCommand.class,
          DemoCommand.class,
          ServeCommand.class,
          DaemonCommand.class,
          CommandLine.HelpCommand.class);

  private static volatile boolean verbose;

  /** Whether the last command failed with an internal error: its state is not to be trusted. */
  private static volatile boolean internalError;

  /** Held so that the level set on it is not lost to garbage collection. */
  private static final java.util.logging.Logger LUCENE_LOG =
      java.util.logging.Logger.getLogger("org.apache.lucene");

  /** Lucene's choice of SIMD code, which warns when the JVM runs without the C2 compiler. */
  private static final java.util.logging.Logger VECTORIZATION_LOG =
      java.util.logging.Logger.getLogger(
          "org.apache.lucene.internal.vectorization.VectorizationProvider");

  private Main() {}

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace too.")
  void setVerbose(boolean value) {
    verbose = value;
  }

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    endWithParent();
    int code = run(args);
    Terminal.exit(code);
  }

  /**
   * A command run as the child of a client of the background process ({@link
   * DaemonClient#PARENT_PROPERTY}) ends when its client does, as it would if it were the client.
   */
  private static void endWithParent() {
    String parent = System.getProperty(DaemonClient.PARENT_PROPERTY);
    if (parent == null) {
      return;
    }
    java.util.Optional<ProcessHandle> client = ProcessHandle.of(Long.parseLong(parent));
    if (client.isEmpty()) {
      Runtime.getRuntime().halt(1);
    }
    client.get().onExit().thenRun(() -> Runtime.getRuntime().halt(1));
  }

  /**
   * Runs the command line without ending the JVM, for tests.
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int run(String... args) {
    verbose = false;
    internalError = false;
    // Lucene logs its SIMD setup at INFO on every start; users need only warnings.
    LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    if ("c1".equals(System.getProperty("embedstore.jit"))) {
      // The launcher runs a short command with C1 only, on purpose (see .mvn/jvm-options.sh): that
      // Lucene then uses its scalar code is expected, not worth a warning.
      VECTORIZATION_LOG.setLevel(java.util.logging.Level.SEVERE);
    }
    CommandLine cmd = commandLine(args);
    // A path option names a file of the invoking process's working folder, which in the background
    // process is not the JVM's own: resolved when parsed, the command holds absolute paths only.
    cmd.registerConverter(Path.class, Terminal::path);
    cmd.setOut(new PrintWriter(Terminal.out(), true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(Terminal.err(), true, StandardCharsets.UTF_8));
    cmd.setExecutionExceptionHandler(Main::onFailure);
    cmd.setParameterExceptionHandler(Main::onUsageError);
    try {
      return cmd.execute(args);
    } catch (OutOfMemoryError e) {
      internalError = true; // not a bug, but what the command held is not to be trusted
      Terminal.err().println("error: " + outOfMemory(e, Runtime.getRuntime().maxMemory()));
      if (verbose) {
        e.printStackTrace(Terminal.err());
      }
      return CliException.FAILURE;
    }
  }

  /** What running out of memory tells the user: the heap it had, and how to give it more. */
  static String outOfMemory(OutOfMemoryError e, long maxHeapBytes) {
    long mb = maxHeapBytes >> 20;
    long suggestGb = Math.max(1, (2 * mb + 1023) / 1024);
    return "out of memory ("
        + (e.getMessage() == null ? "OutOfMemoryError" : e.getMessage())
        + ") in a heap of at most "
        + mb
        + " MB; give the command more, for example EMBEDSTORE_JAVA_OPTS=-Xmx"
        + suggestGb
        + "g";
  }

  /**
   * The command line's model: the top command with the one sub-command the arguments name, or with
   * all of them when they name none (no arguments, {@code --help}, {@code help}, a misspelt name
   * that picocli then reports with suggestions). Settings made on it afterwards reach the
   * sub-commands, which are all in place by then.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cmd = new CommandLine(new Main());
    Class<?> named = named(args);
    for (Class<?> c : named == null ? COMMANDS : List.of(named)) {
      cmd.addSubcommand(c);
    }
    return cmd;
  }

  /** The sub-command the arguments name after the top command's options, or null. */
  private static Class<?> named(String[] args) {
    for (String arg : args) {
      if (arg.equals("--verbose")) {
        continue; // the only top-level option a sub-command follows
      }
      for (Class<?> c : COMMANDS) {
        Command command = c.getAnnotation(Command.class);
        if (c != CommandLine.HelpCommand.class
            && (command.name().equals(arg) || List.of(command.aliases()).contains(arg))) {
          return c;
        }
      }
      return null;
    }
    return null;
  }

  /**
   * Runs the command line for a client of the background process, with the client's streams and
   * working folder, without ending the JVM.
   *
   * @param invocation the client's streams, folder and terminal
   * @param args the arguments
   * @return how it ended
   */
  public static Outcome run(Invocation invocation, String... args) {
    int code = Terminal.relay(invocation, () -> run(args));
    return new Outcome(code, !internalError);
  }

  /**
   * How a command run for a client ended.
   *
   * @param exitCode its exit code
   * @param clean false when it failed with an internal error (a bug, not the input or the store):
   *     whatever it held may not have been released, so its JVM should not run more
   */
  public record Outcome(int exitCode, boolean clean) {}

  @Override
  public void run() {
    // No sub-command: show what there is.
    CommandLine.usage(this, Terminal.err());
  }

  private static int onUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: " + e.getMessage());
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
    return CliException.USAGE;
  }

  private static int onFailure(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    Failure failure = failure(e);
    internalError = failure.internal();
    err.println("error: " + failure.message());
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return e instanceof CliException c ? c.exitCode() : CliException.FAILURE;
  }

  /**
   * A failure as the user sees it: its one-line message, and whether it is an internal error (a
   * bug, not the input or the store), after which the JVM's state is not to be trusted.
   */
  private record Failure(String message, boolean internal) {}

  /** The one-line description of a failure: what failed, naming the file, id or value at fault. */
  static String describe(Throwable e) {
    return failure(e).message();
  }

  private static Failure failure(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      e = u.getCause();
    }
    String expected =
        switch (e) {
          case CliException c -> c.getMessage();
          case dev.embedstore.store.StoreMismatchException m -> m.getMessage();
          case NoSuchFileException n -> "no such file or folder: " + n.getFile();
          case AccessDeniedException a -> "permission denied: " + a.getFile();
          case FileSystemException f -> f.getMessage();
          case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
          case IllegalArgumentException ia -> ia.getMessage();
          case UnsupportedOperationException u -> u.getMessage();
          default -> null;
        };
    return expected != null
        ? new Failure(expected, false)
        : new Failure(
            "internal error: "
                + e
                + (verbose ? "" : " (run again with --verbose for the stack trace, and report it)"),
            true);
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
