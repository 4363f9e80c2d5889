package dev.embedstore.cli.input;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A temporary file that keeps a stream that can be read only once (stdin) as it is read, so that it
 * can be read again. The file is private to its user (created with {@link Files#createTempFile}'s
 * owner-only permissions) and opened with {@link StandardOpenOption#DELETE_ON_CLOSE}: on Linux and
 * macOS the JDK unlinks it as soon as it is open, so not even a killed JVM leaves it behind; {@link
 * #close} deletes it elsewhere.
 *
 * <p>The caller owns the spool and closes it; streams from {@link #from} leave it open. Not
 * thread-safe.
 */
public final class Spool implements Closeable {
  /** The prefix of a spool's file name. */
  public static final String PREFIX = "embedstore-stdin-";

  private final Path path;
  private final FileChannel channel;
  private long size;
  private boolean closed;

  private Spool(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Creates an empty spool in the JVM's temporary folder.
   *
   * @return the spool
   * @throws IOException if the file cannot be made
   */
  public static Spool create() throws IOException {
    Path path = Files.createTempFile(PREFIX, ".jsonl");
    try {
      return new Spool(
          path,
          FileChannel.open(
              path,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /**
   * A stream of {@code in} that appends every byte read through it to the spool. Closing it closes
   * {@code in}, not the spool.
   *
   * @param in the stream to keep
   * @return the stream to read instead
   */
  public InputStream tee(InputStream in) {
    Objects.requireNonNull(in, "in");
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          ensureOpen();
          ByteBuffer written = ByteBuffer.wrap(b, off, n);
          while (written.hasRemaining()) {
            size += channel.write(written, size);
          }
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /**
   * The spooled bytes from an offset on. Closing the stream leaves the spool open.
   *
   * @param offset where to start
   * @return the stream
   */
  public InputStream from(long offset) {
    return new InputStream() {
      private long at = offset;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        int n = Spool.this.read(ByteBuffer.wrap(b, off, len), at);
        if (n > 0) {
          at += n;
        }
        return n;
      }
    };
  }

  /**
   * Reads spooled bytes at a position, as {@link FileChannel#read(ByteBuffer, long)}.
   *
   * @param into where to put them
   * @param position where to read
   * @return the number of bytes read, or -1 at the end
   * @throws IOException if reading fails
   */
  public int read(ByteBuffer into, long position) throws IOException {
    ensureOpen();
    return position >= size ? -1 : channel.read(into, position);
  }

  /**
   * The number of bytes spooled.
   *
   * @return the size
   */
  public long size() {
    return size;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Spool is closed");
    }
  }

  /** Deletes the file; closing again does nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(path);
    }
  }
}
