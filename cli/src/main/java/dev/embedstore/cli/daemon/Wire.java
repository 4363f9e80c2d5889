package dev.embedstore.cli.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The wire format between a client and the background process, over a Unix-domain socket. A
 * connection carries one request.
 *
 * <pre>
 * client:  int MAGIC, byte kind
 *          RUN:    string cwd, boolean tty, byte client ('J' Java, 'N' native), int argc,
 *                  string[argc] args
 *                  then only STDIN frames: int n, n bytes (n = -1: end of input)
 *          STATUS, STOP: nothing more
 * daemon:  RUN:    ACCEPTED, then STDOUT | STDERR (int n, n bytes) | READ (int max) frames,
 *                  then EXIT (int code); or BUSY (nothing was run)
 *          STATUS, STOP: TEXT (string)
 * string:  int n, n bytes of UTF-8
 * </pre>
 *
 * The daemon asks for standard input only when the command reads it (READ, at most {@code max}
 * bytes), so a client never consumes input that no command wanted.
 */
final class Wire {
  /** "ESD" and the protocol's version: a client and a daemon of other versions never talk. */
  static final int MAGIC = 0x45534402;

  static final byte RUN = 'C';
  static final byte STATUS = 'Q';
  static final byte STOP = 'S';
  static final byte STDIN = 'I';

  /** The client that relays a RUN: this Java one, or the native one. */
  static final byte JAVA_CLIENT = 'J';

  static final byte NATIVE_CLIENT = 'N';

  static final byte ACCEPTED = 'A';
  static final byte BUSY = 'B';
  static final byte STDOUT = 'O';
  static final byte STDERR = 'E';
  static final byte READ = 'R';
  static final byte EXIT = 'X';
  static final byte TEXT = 'T';

  /** The longest string accepted: an argument list of a million ids stays far below it. */
  private static final int MAX_STRING = 1 << 26;

  private Wire() {}

  /**
   * A channel's reading side as a stream. Reads and writes of a socket channel may run at once on
   * two threads (it has a lock for each), which the JDK's {@code Channels} streams do not promise.
   */
  static InputStream input(SocketChannel ch) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  /** A channel's writing side as a stream (see {@link #input}). */
  static OutputStream output(SocketChannel ch) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    };
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_STRING) {
      throw new StreamCorruptedException("bad string length " + n);
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }
}
