package dev.embedstore.cli.daemon;

import dev.embedstore.cli.SuppressForbidden;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The launchers' entry point for the commands that run in the user's background process: relays
 * this process's arguments, working folder and standard streams to it (starting it when none runs)
 * and its exit code back.
 *
 * <p>Why: a command is a few milliseconds of work in a warm JVM, and a second or two in a new one
 * (class loading, then Lucene's and the store's code interpreted and compiled on the same cores:
 * docs/benchmarks.md, "What the floor says"). This client JVM loads a handful of classes and the
 * JDK's socket classes, with C1 only and no class path beyond its jar, and the work runs in a JVM
 * whose code is already compiled.
 *
 * <p>Its arguments are the command line of the JVM that would run the command by itself: {@code
 * JAVA JVM_OPTION... dev.embedstore.cli.Main ARG...}. The background process starts with those
 * options (less what only suits a short-lived JVM: {@link #daemonOptions}); when it is busy with
 * another client's command (it runs one at a time, so that it can end with its client: below), or
 * cannot be started, or {@code EMBEDSTORE_DAEMON=false}, that command line runs as a child process
 * instead, with this process's streams, and ends when this process ends.
 *
 * <p><b>A command ends with its client.</b> When the client dies (Ctrl-C, {@code kill -9}) while
 * its command runs, the background process ends at once, as the command's own JVM would have: a
 * store is left at its last commit, and its write lock is released. A command that fails (exit code
 * 1) also ends the process after replying, so that nothing it left open outlives it.
 */
@SuppressForbidden(reason = "the entry point: it owns the process's streams and exit code")
public final class DaemonClient {
  /** Commands that run in the background process (the launchers run the rest directly). */
  static final Set<String> RELAYED =
      Set.of("index", "search", "delete", "stats", "embed", "cache", "check", "eval", "demo");

  /** The main class of the command line this client is given. */
  static final String MAIN = "dev.embedstore.cli.Main";

  /** The background process's main class. */
  static final String SERVER = "dev.embedstore.cli.daemon.DaemonServer";

  /** System property of a command run as the client's child: the client's pid. */
  public static final String PARENT_PROPERTY = "embedstore.parent";

  /** Environment variable: {@code false} runs every command in its own JVM. */
  static final String ENABLE_ENV = "EMBEDSTORE_DAEMON";

  /** Environment variable: seconds a background process waits for a command before it ends. */
  static final String IDLE_ENV = "EMBEDSTORE_DAEMON_IDLE";

  /** Default of {@link #IDLE_ENV}: a quarter of an hour. */
  static final long DEFAULT_IDLE_SECONDS = 900;

  /** How often an idle background process collects its heap, giving memory back. */
  private static final long PERIODIC_GC_MILLIS = 30_000;

  /** How long a client waits for a new background process to listen. */
  private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** How long a client asks a busy process again before it runs its command itself. */
  private static final long BUSY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** {@link #relay} did not run the command. */
  private static final int NOT_RELAYED = -1;

  private DaemonClient() {}

  /**
   * Runs a command line ({@code JAVA JVM_OPTION... dev.embedstore.cli.Main ARG...}) in the
   * background process when it can, else as a child process, and ends the JVM with its exit code.
   *
   * @param command the command line
   */
  public static void main(String[] command) {
    int main = Arrays.asList(command).indexOf(MAIN);
    if (main < 1) {
      System.err.println(
          "error: DaemonClient takes the command line of the JVM to run: JAVA OPTION... "
              + MAIN
              + " ARG...");
      System.exit(2);
    }
    List<String> jvm = Arrays.asList(command).subList(0, main + 1);
    String[] args = Arrays.copyOfRange(command, main + 1, command.length);
    int code = NOT_RELAYED;
    if (args.length > 0
        && RELAYED.contains(args[0])
        && !"false".equals(System.getenv(ENABLE_ENV))) {
      try {
        code = relay(jvm.get(0), jvm.subList(1, main), args);
      } catch (IOException e) {
        System.err.println(
            "warning: the background process could not run the command ("
                + e.getMessage()
                + "); running it in a JVM of its own. EMBEDSTORE_DAEMON=false does so always.");
      }
    }
    System.exit(code == NOT_RELAYED ? runChild(jvm, args) : code);
  }

  /**
   * Runs the command line as a child process with this process's streams; it ends when this process
   * ends ({@link #PARENT_PROPERTY}).
   */
  private static int runChild(List<String> jvm, String[] args) {
    List<String> cmd = new ArrayList<>(jvm.subList(0, jvm.size() - 1));
    cmd.add("-D" + PARENT_PROPERTY + "=" + ProcessHandle.current().pid());
    cmd.add(MAIN);
    cmd.addAll(Arrays.asList(args));
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(p::destroy, "embedstore-stop-child")); // SIGTERM, Ctrl-C
      return p.waitFor();
    } catch (IOException e) {
      System.err.println("error: cannot start " + cmd.get(0) + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * Runs the command in the background process.
   *
   * @return its exit code, or {@link #NOT_RELAYED} when nothing was run (busy)
   * @throws IOException if no process could be reached or started; nothing was run
   */
  private static int relay(String java, List<String> jvmOptions, String[] args) throws IOException {
    List<String> options = daemonOptions(jvmOptions);
    DaemonHome home = DaemonHome.locate();
    String key = DaemonHome.key(java, options);
    long busySince = System.nanoTime();
    while (true) {
      SocketChannel channel = connect(home.socket(key));
      if (channel == null) {
        channel = start(home, key, java, options);
      }
      try (SocketChannel ch = channel) {
        DataOutputStream out =
            new DataOutputStream(new BufferedOutputStream(Wire.output(ch), 1 << 14));
        out.writeInt(Wire.MAGIC);
        out.writeByte(Wire.RUN);
        Wire.writeString(out, Path.of("").toAbsolutePath().toString());
        out.writeBoolean(jvmOptions.contains("-Dembedstore.tty=true"));
        out.writeByte(Wire.JAVA_CLIENT);
        out.writeInt(args.length);
        for (String a : args) {
          Wire.writeString(out, a);
        }
        out.flush();
        DataInputStream in = new DataInputStream(new BufferedInputStream(Wire.input(ch), 1 << 16));
        int reply = in.read();
        if (reply == Wire.ACCEPTED) {
          try {
            return frames(in, out);
          } catch (IOException e) {
            // The command was accepted, so it must not run again here: report and fail.
            System.err.println(
                "error: the background process ended while running the command ("
                    + e
                    + "); its log is "
                    + home.log(key)
                    + ". EMBEDSTORE_DAEMON=false runs commands without it.");
            return 1;
          }
        }
      } catch (IOException e) {
        // nothing was run: the process is ending (or just ended); ask again below
      }
      // Busy with another command, or ending: ask again for a while (a command that just ended,
      // or a process ending with its killed client, frees it in milliseconds), then run the
      // command in a JVM of its own.
      if (System.nanoTime() - busySince > BUSY_WAIT_NANOS) {
        return NOT_RELAYED;
      }
      pause(20);
    }
  }

  @SuppressForbidden(reason = "polls another process, which no condition in this JVM can wait on")
  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Relays the running command's frames until its exit code. */
  private static int frames(DataInputStream in, DataOutputStream out) throws IOException {
    Sink stdout = new Sink(new FileOutputStream(FileDescriptor.out));
    Sink stderr = new Sink(new FileOutputStream(FileDescriptor.err));
    FileInputStream stdin = new FileInputStream(FileDescriptor.in);
    byte[] buffer = new byte[1 << 16];
    while (true) {
      int type = in.read();
      switch (type) {
        case Wire.STDOUT, Wire.STDERR -> {
          Sink sink = type == Wire.STDOUT ? stdout : stderr;
          for (int left = in.readInt(); left > 0; ) {
            int n = in.read(buffer, 0, Math.min(left, buffer.length));
            if (n < 0) {
              throw new EOFException();
            }
            sink.write(buffer, n);
            left -= n;
          }
        }
        case Wire.READ -> {
          int n = readQuietly(stdin, buffer, Math.min(in.readInt(), buffer.length));
          out.writeByte(Wire.STDIN);
          out.writeInt(n);
          if (n > 0) {
            out.write(buffer, 0, n);
          }
          out.flush();
        }
        case Wire.EXIT -> {
          return in.readInt();
        }
        default -> throw new EOFException(type < 0 ? "connection closed" : "frame " + type);
      }
    }
  }

  /** Reads standard input; a read that fails ends the input, as it would end a file's. */
  private static int readQuietly(FileInputStream stdin, byte[] buffer, int max) {
    try {
      return stdin.read(buffer, 0, max);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * One of this process's output streams. A write that fails (a reader that went away, as {@code |
   * head} does) drops the rest quietly, as the JVM's own {@code System.out} would: the command
   * still runs to its end.
   */
  private static final class Sink {
    private final OutputStream out;
    private boolean broken;

    Sink(OutputStream out) {
      this.out = out;
    }

    void write(byte[] b, int n) {
      if (broken) {
        return;
      }
      try {
        out.write(b, 0, n);
      } catch (IOException e) {
        broken = true;
      }
    }
  }

  /** A connection to the process listening at {@code socket}, or null when none listens there. */
  private static SocketChannel connect(Path socket) throws IOException {
    if (!Files.exists(socket)) {
      return null;
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return ch;
    } catch (IOException e) {
      ch.close(); // refused: a socket left by a process that died
      return null;
    }
  }

  /**
   * Starts the background process for {@code key} and connects to it. One client at a time does
   * (the start lock); one that waited on it finds the process another one started.
   */
  private static SocketChannel start(DaemonHome home, String key, String java, List<String> options)
      throws IOException {
    Path socket = home.socket(key);
    try (FileChannel lockFile =
        FileChannel.open(home.lock(key), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      lockFile.lock(); // released when the file is closed
      SocketChannel ch = connect(socket);
      if (ch != null) {
        return ch;
      }
      Files.deleteIfExists(socket);
      Process p =
          new ProcessBuilder(command(socket, java, options))
              .directory(home.dir().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(home.log(key).toFile())
              .redirectErrorStream(true)
              .start();
      long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
      while (System.nanoTime() < deadline) {
        ch = connect(socket);
        if (ch != null) {
          return ch;
        }
        try {
          if (p.waitFor(5, TimeUnit.MILLISECONDS) && p.exitValue() != 0) {
            break;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      throw new IOException("it did not start; its log is " + home.log(key));
    }
  }

  /** The background process's command line: this JVM's, for {@link DaemonServer}. */
  private static List<String> command(Path socket, String java, List<String> options) {
    List<String> cmd = new ArrayList<>();
    // A session of its own: no terminal's hang-up or Ctrl-C reaches it. Where setsid is missing the
    // process still runs; it just shares the terminal's signals of the first client's shell.
    for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(setsid))) {
        cmd.add(setsid);
        break;
      }
    }
    cmd.add(java);
    cmd.addAll(options);
    if (options.stream().noneMatch(o -> o.startsWith("-XX:G1PeriodicGCInterval="))) {
      // Idle, the collector gives the heap back to the system: after re-indexing a million records
      // the process held 773 MB resident for as long as it lived; with this, 150 MB within 45 s.
      // (Unused by another collector, should the options pick one.)
      cmd.add("-XX:G1PeriodicGCInterval=" + PERIODIC_GC_MILLIS);
    }
    cmd.add(SERVER);
    cmd.add(socket.toString());
    cmd.add(Long.toString(idleSeconds()));
    return cmd;
  }

  static long idleSeconds() {
    String s = System.getenv(IDLE_ENV);
    if (s != null && !s.isBlank()) {
      try {
        long v = Long.parseLong(s.trim());
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // the default below
      }
    }
    return DEFAULT_IDLE_SECONDS;
  }

  /**
   * The JVM options the background process starts with: those of the command line, less what only
   * suits a short-lived JVM (C1 only, the serial collector) or this one invocation (whether stderr
   * is a terminal, logging). The class-data archive the command line maps, or writes at exit, is
   * kept: the process maps it too, or writes it when it ends by itself.
   *
   * @param jvmOptions the command line's options, class path included
   * @return the options
   */
  static List<String> daemonOptions(List<String> jvmOptions) {
    List<String> options = new ArrayList<>();
    for (String o : jvmOptions) {
      if (!shortLivedOnly(o)) {
        options.add(o);
      }
    }
    return options;
  }

  private static boolean shortLivedOnly(String o) {
    return o.startsWith("-XX:TieredStopAtLevel=")
        || o.equals("-XX:+UseSerialGC")
        || o.startsWith("-Dembedstore.jit=")
        || o.startsWith("-Dembedstore.tty=")
        || o.startsWith("-Xshare:")
        || o.equals("-XX:+VerifySharedSpaces")
        || o.startsWith("-Xlog:") // this JVM's diagnostics (its CDS log, say), not the process's
        || o.startsWith("-verbose");
  }
}
