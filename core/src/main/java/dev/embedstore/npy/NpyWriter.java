package dev.embedstore.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a float32 matrix of shape {@code [rows, dimension]} to a {@code .npy} file (format 1.0,
 * little-endian, C order), one row at a time, without knowing the row count in advance: the header
 * is written with room for any count and rewritten with the real one on {@link #close()}.
 *
 * <p>The format is small and fully specified by NumPy ({@code numpy.lib.format}); no maintained
 * Java library writes it without pulling in a runtime of its own, so it is written here.
 *
 * <p><b>NOTE</b>: not thread-safe. A file not closed is left with a header saying 0 rows.
 */
public final class NpyWriter implements AutoCloseable {
  /** Magic, version, header length and a header padded with spaces: 128 bytes in all. */
  static final int HEADER_BYTES = 128;

  private static final int ROWS_PER_FLUSH = 256;

  private final Path path;
  private final FileChannel channel;
  private final int dimension;
  private final ByteBuffer buffer;
  private long rows;
  private boolean closed;

  private NpyWriter(Path path, FileChannel channel, int dimension) {
    this.path = path;
    this.channel = channel;
    this.dimension = dimension;
    this.buffer =
        ByteBuffer.allocate(ROWS_PER_FLUSH * dimension * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Creates (or replaces) a file.
   *
   * @param path the file
   * @param dimension the row length
   * @return the writer; close it
   * @throws IOException if the file cannot be written
   */
  public static NpyWriter create(Path path, int dimension) throws IOException {
    Objects.requireNonNull(path, "path");
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0; dimension=" + dimension);
    }
    FileChannel ch =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try {
      ch.write(header(0, dimension));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return new NpyWriter(path, ch, dimension);
  }

  /** The 128-byte header for a {@code [rows, dimension]} float32 matrix. */
  static ByteBuffer header(long rows, int dimension) {
    String dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + dimension + "), }";
    int dictBytes = HEADER_BYTES - 10;
    StringBuilder b = new StringBuilder(dict);
    while (b.length() < dictBytes - 1) {
      b.append(' ');
    }
    b.append('\n');
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    h.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    h.put((byte) 1).put((byte) 0);
    h.putShort((short) dictBytes);
    h.put(b.toString().getBytes(StandardCharsets.US_ASCII));
    return h.flip();
  }

  /**
   * Appends one row.
   *
   * @param row the row, of the writer's dimension
   * @throws IOException if the file cannot be written
   */
  public void write(float[] row) throws IOException {
    if (closed) {
      throw new IllegalStateException("NpyWriter is closed");
    }
    if (row.length != dimension) {
      throw new IllegalArgumentException(
          "row length must equal the dimension " + dimension + "; length=" + row.length);
    }
    if (buffer.remaining() < row.length * Float.BYTES) {
      flush();
    }
    buffer.asFloatBuffer().put(row);
    buffer.position(buffer.position() + row.length * Float.BYTES);
    rows++;
  }

  /**
   * The rows written so far.
   *
   * @return the count
   */
  public long rows() {
    return rows;
  }

  private void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /** Writes the buffered rows and the final header; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      flush();
      ByteBuffer h = header(rows, dimension);
      long at = 0;
      while (h.hasRemaining()) {
        at += channel.write(h, at);
      }
      channel.force(true);
    }
  }

  @Override
  public String toString() {
    return "NpyWriter[" + path + ", " + rows + " x " + dimension + "]";
  }
}
