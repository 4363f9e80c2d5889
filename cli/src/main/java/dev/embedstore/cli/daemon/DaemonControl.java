package dev.embedstore.cli.daemon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code embedstore daemon status|stop}: asks every background process of the user (the sockets in
 * {@link DaemonHome}'s folder) how it is, or to end. A socket whose process died is removed.
 *
 * <p>Thread-safe: stateless.
 */
public final class DaemonControl {
  private DaemonControl() {}

  /**
   * Prints one line per background process.
   *
   * @param out where the lines go
   * @return how many processes answered
   * @throws IOException if the folder cannot be read
   */
  public static int status(PrintStream out) throws IOException {
    return ask(Wire.STATUS, out);
  }

  /**
   * Asks every background process to end (one running a command ends after it).
   *
   * @param out where their answers go
   * @return how many processes answered
   * @throws IOException if the folder cannot be read
   */
  public static int stop(PrintStream out) throws IOException {
    return ask(Wire.STOP, out);
  }

  /**
   * The folder of the sockets, for messages.
   *
   * @return the folder
   * @throws IOException if it cannot be made or is not private
   */
  public static Path folder() throws IOException {
    return DaemonHome.locate().dir();
  }

  private static int ask(byte kind, PrintStream out) throws IOException {
    int answered = 0;
    for (Path socket : DaemonHome.locate().sockets()) {
      String answer = ask(socket, kind);
      if (answer == null) {
        Files.deleteIfExists(socket); // nobody listens: left by a process that died
      } else {
        out.println(answer);
        answered++;
      }
    }
    return answered;
  }

  /** The process's answer, or null when none listens at {@code socket}. */
  private static String ask(Path socket, byte kind) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Wire.output(ch)));
      out.writeInt(Wire.MAGIC);
      out.writeByte(kind);
      out.flush();
      DataInputStream in = new DataInputStream(new BufferedInputStream(Wire.input(ch)));
      return in.read() == Wire.TEXT ? Wire.readString(in) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
