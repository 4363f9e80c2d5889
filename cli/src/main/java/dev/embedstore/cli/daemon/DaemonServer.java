package dev.embedstore.cli.daemon;

import dev.embedstore.cli.Invocation;
import dev.embedstore.cli.Main;
import dev.embedstore.cli.SuppressForbidden;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The background process: listens on a Unix-domain socket and runs its clients' commands ({@link
 * DaemonClient}) one at a time, in a JVM whose code stays compiled between them.
 *
 * <p>Each command runs through {@link Main#run(Invocation, String...)} with the client's working
 * folder and streams, relayed as {@link Wire} frames; it opens and closes its store and model as it
 * would in a JVM of its own, so no lock or file outlives it. A second client while a command runs
 * is told it is busy and runs its command in its own JVM.
 *
 * <p>It ends: when idle for the time its first client gave ({@code EMBEDSTORE_DAEMON_IDLE}
 * seconds); when its jars change (a rebuild) or its socket file is removed; after a command that
 * failed with an internal error or an {@code Error} such as running out of memory (whatever it left
 * behind ends with it; a failure the user can act on, such as a missing store, does not count); on
 * {@code embedstore daemon stop}; and at once, like a killed JVM, when a client goes away while its
 * command runs.
 *
 * <p>What it prints goes to its log, {@code KEY.log} beside the socket.
 */
@SuppressForbidden(reason = "a process of its own: its log is its stdout, and it ends itself")
public final class DaemonServer {
  private final Path socket;
  private final long idleNanos;
  private final ServerSocketChannel server;
  private final Object socketKey;
  private final String classPathStamp;
  private final PrintStream log = System.out;
  private final long startedMillis = System.currentTimeMillis();
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicLong commands = new AtomicLong();
  private final AtomicLong nativeCommands = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean stopRequested;

  private DaemonServer(Path socket, long idleSeconds) throws IOException {
    this.socket = socket;
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    this.classPathStamp = DaemonHome.classPathStamp(System.getProperty("java.class.path", ""));
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    Files.deleteIfExists(socket);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.socketKey = fileKey(socket);
  }

  /**
   * Runs the background process: {@code SOCKET IDLE_SECONDS}.
   *
   * @param args the socket's path and the idle time
   * @throws IOException if the socket cannot be bound
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: DaemonServer SOCKET IDLE_SECONDS");
    }
    new DaemonServer(Path.of(args[0]), Long.parseLong(args[1])).serve();
  }

  private void serve() {
    log(
        "listening on %s: pid %d, Java %s, ends after %d s idle",
        socket,
        ProcessHandle.current().pid(),
        System.getProperty("java.version"),
        TimeUnit.NANOSECONDS.toSeconds(idleNanos));
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "embedstore-daemon-watchdog");
              t.setDaemon(true);
              return t;
            });
    watchdog.scheduleWithFixedDelay(this::checkEnd, 1, 1, TimeUnit.SECONDS);
    while (true) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return; // ending
      } catch (IOException e) {
        end("accepting failed: " + e, 1);
        return;
      }
      Thread t =
          new Thread(() -> serve(ch), "embedstore-daemon-client-" + connections.incrementAndGet());
      t.start();
    }
  }

  /** Serves one connection: one request. */
  private void serve(SocketChannel ch) {
    try (ch) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(Wire.input(ch), 1 << 16));
      DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Wire.output(ch), 1 << 16));
      if (in.readInt() != Wire.MAGIC) {
        return; // another version's client: it gets no answer and runs the command itself
      }
      switch (in.readByte()) {
        case Wire.RUN -> run(in, out);
        case Wire.STATUS -> text(out, status());
        case Wire.STOP -> stop(out);
        default -> {}
      }
    } catch (IOException e) {
      log("a connection failed: %s", e);
    }
  }

  private void run(DataInputStream in, DataOutputStream out) throws IOException {
    Path cwd = Path.of(Wire.readString(in));
    boolean tty = in.readBoolean();
    boolean nativeClient = in.readByte() == Wire.NATIVE_CLIENT;
    int argc = in.readInt();
    if (argc < 0 || argc > 1 << 24) {
      return;
    }
    String[] args = new String[argc];
    for (int i = 0; i < argc; i++) {
      args[i] = Wire.readString(in);
    }
    if (!busy.compareAndSet(false, true)) {
      out.writeByte(Wire.BUSY);
      out.flush();
      return;
    }
    int code = 1;
    boolean clean = false;
    long t0 = System.nanoTime();
    try {
      commands.incrementAndGet();
      if (nativeClient) {
        nativeCommands.incrementAndGet();
      }
      Relay relay = new Relay(in, out, this::clientGone);
      relay.accepted();
      try (PrintStream stdout = relay.printStream(Wire.STDOUT);
          PrintStream stderr = relay.printStream(Wire.STDERR)) {
        try {
          Main.Outcome outcome =
              Main.run(new Invocation(cwd, relay.stdin(), stdout, stderr, tty), args);
          code = outcome.exitCode();
          clean = outcome.clean();
        } catch (Throwable t) { // an Error (out of memory, say): reported, and the process ends
          stderr.println("error: internal error: " + t);
          log("%s failed: %s", args.length > 0 ? args[0] : "", t);
        }
        stdout.flush();
        stderr.flush();
      }
      relay.exit(code);
    } finally {
      log(
          "%s: exit %d%s in %.3f s",
          args.length > 0 ? args[0] : "(none)",
          code,
          clean ? "" : " (internal error)",
          (System.nanoTime() - t0) / 1e9);
      lastUsedNanos = System.nanoTime();
      if (!clean) {
        end("the command failed with an internal error; a new process serves the next one", 0);
      } else if (stopRequested) {
        end("asked to stop", 0);
      }
      busy.set(false);
    }
  }

  private void stop(DataOutputStream out) throws IOException {
    if (busy.compareAndSet(false, true)) {
      text(out, "stopped " + describe());
      end("asked to stop", 0);
    } else {
      stopRequested = true;
      text(out, "stops after its command: " + describe());
    }
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    out.writeByte(Wire.TEXT);
    Wire.writeString(out, s);
    out.flush();
  }

  private String describe() {
    return "pid " + ProcessHandle.current().pid() + " (" + socket.getFileName() + ")";
  }

  private String status() {
    long idle = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastUsedNanos);
    return String.format(
        Locale.ROOT,
        "%s: up %d s, %d commands (%d from the native client), %s, ends after %d s idle; Java %s"
            + " in %s, heap %d MB of %d MB",
        describe(),
        (System.currentTimeMillis() - startedMillis) / 1000,
        commands.get(),
        nativeCommands.get(),
        busy.get() ? "running a command" : "idle for " + idle + " s",
        TimeUnit.NANOSECONDS.toSeconds(idleNanos),
        System.getProperty("java.version"),
        System.getProperty("java.home"),
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /** Ends the process when it has been idle too long, or it is stale, unless a command runs. */
  private void checkEnd() {
    try {
      String why = null;
      if (System.nanoTime() - lastUsedNanos > idleNanos) {
        why = "idle for " + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + " s";
      } else if (!Objects.equals(socketKey, fileKey(socket))) {
        why = "its socket was removed or replaced";
      } else if (!classPathStamp.equals(
          DaemonHome.classPathStamp(System.getProperty("java.class.path", "")))) {
        why = "its jars changed";
      }
      if (why != null && busy.compareAndSet(false, true)) {
        end(why, 0);
      }
    } catch (IOException | RuntimeException e) {
      log("checking whether to end failed: %s", e);
    }
  }

  /** The client of the running command went away: end now, as the command's own JVM would. */
  private void clientGone() {
    log("the client went away while its command ran; ending at once, as a killed JVM would");
    removeSocket();
    Runtime.getRuntime().halt(1);
  }

  private void end(String why, int code) {
    log("ending: %s", why);
    try {
      server.close();
    } catch (IOException e) {
      log("closing the socket failed: %s", e);
    }
    removeSocket();
    System.exit(code);
  }

  /** Deletes the socket file, unless another process has bound one at that path since. */
  private void removeSocket() {
    try {
      if (Objects.equals(socketKey, fileKey(socket))) {
        Files.deleteIfExists(socket);
      }
    } catch (IOException e) {
      log("removing %s failed: %s", socket, e);
    }
  }

  private static Object fileKey(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void log(String format, Object... args) {
    log.println(Instant.now() + " " + String.format(Locale.ROOT, format, args));
    log.flush();
  }

  /** The standard streams of one running command, as frames on its connection. */
  private static final class Relay {
    /** Delivered by the reader for a read that hit the end of the client's input. */
    private static final byte[] END = new byte[0];

    private final DataOutputStream out;
    private final java.util.concurrent.BlockingQueue<byte[]> input =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile boolean finished;

    Relay(DataInputStream in, DataOutputStream out, Runnable clientGone) {
      this.out = out;
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (in.read() == Wire.STDIN) {
                    int n = in.readInt();
                    input.add(n <= 0 ? END : in.readNBytes(n));
                  }
                } catch (IOException e) {
                  // the connection ended: below
                }
                if (!finished) {
                  clientGone.run();
                }
              },
              "embedstore-daemon-stdin");
      reader.setDaemon(true);
      reader.start();
    }

    void accepted() throws IOException {
      synchronized (out) {
        out.writeByte(Wire.ACCEPTED);
        out.flush();
      }
    }

    void exit(int code) throws IOException {
      synchronized (out) {
        finished = true;
        out.writeByte(Wire.EXIT);
        out.writeInt(code);
        out.flush();
      }
    }

    PrintStream printStream(byte type) {
      java.io.OutputStream frames =
          new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              if (len == 0) {
                return;
              }
              synchronized (out) {
                out.writeByte(type);
                out.writeInt(len);
                out.write(b, off, len);
              }
            }

            @Override
            public void flush() throws IOException {
              synchronized (out) {
                out.flush();
              }
            }
          };
      return new PrintStream(
          new BufferedOutputStream(frames, 1 << 13), true, StandardCharsets.UTF_8);
    }

    /** The client's standard input, asked for as the command reads it. */
    java.io.InputStream stdin() {
      return new java.io.InputStream() {
        private byte[] chunk;
        private int pos;
        private boolean ended;

        @Override
        public synchronized int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
          if (len == 0) {
            return 0;
          }
          if (chunk == null || pos == chunk.length) {
            if (ended) {
              return -1;
            }
            synchronized (out) {
              out.writeByte(Wire.READ);
              out.writeInt(len);
              out.flush();
            }
            try {
              chunk = input.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new java.io.InterruptedIOException("interrupted while reading stdin");
            }
            pos = 0;
            if (chunk == END) {
              ended = true;
              return -1;
            }
          }
          int n = Math.min(len, chunk.length - pos);
          System.arraycopy(chunk, pos, b, off, n);
          pos += n;
          return n;
        }
      };
    }
  }
}
