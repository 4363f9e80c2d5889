package dev.embedstore.npy;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a two-dimensional float32 matrix from a {@code .npy} file (format 1.x, 2.x or 3.x), one row
 * at a time. Only what {@link NpyWriter} and {@code numpy.save} write for a C-order {@code float32}
 * matrix is accepted; anything else (another dtype, Fortran order, another shape) is refused with
 * an {@link IOException} naming the file and what it holds.
 *
 * <p><b>NOTE</b>: not thread-safe.
 */
public final class NpyReader implements AutoCloseable {
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private final Path path;
  private final DataInputStream in;
  private final long rows;
  private final int dimension;
  private final byte[] rowBytes;
  private long read;

  private NpyReader(Path path, DataInputStream in, long rows, int dimension) {
    this.path = path;
    this.in = in;
    this.rows = rows;
    this.dimension = dimension;
    this.rowBytes = new byte[dimension * Float.BYTES];
  }

  /**
   * Opens a file and reads its header.
   *
   * @param path the file
   * @return the reader; close it
   * @throws IOException if the file cannot be read or is not a float32 matrix
   */
  public static NpyReader open(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    InputStream raw = Files.newInputStream(path);
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
      byte[] magic = new byte[8];
      in.readFully(magic);
      if ((magic[0] & 0xFF) != 0x93
          || !"NUMPY".equals(new String(magic, 1, 5, StandardCharsets.US_ASCII))) {
        throw new IOException(path + " is not a .npy file (no NUMPY magic)");
      }
      int major = magic[6];
      long headerLength;
      if (major == 1) {
        headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
      } else if (major == 2 || major == 3) {
        headerLength = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
      } else {
        throw new IOException(path + " has .npy format version " + major + ", not 1, 2 or 3");
      }
      if (headerLength > 1 << 20) {
        throw new IOException(path + " has a .npy header of " + headerLength + " bytes");
      }
      byte[] header = new byte[(int) headerLength];
      in.readFully(header);
      String dict =
          new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      String descr = group(DESCR, dict, path);
      if (!"<f4".equals(descr)) {
        throw new IOException(
            path + " holds dtype " + descr + "; only little-endian float32 ('<f4') is read");
      }
      if ("True".equals(group(FORTRAN, dict, path))) {
        throw new IOException(path + " is in Fortran order; save it in C order");
      }
      String[] shape = group(SHAPE, dict, path).split(",");
      if (shape.length < 2 || shape.length > 3 || (shape.length == 3 && !shape[2].isBlank())) {
        throw new IOException(path + " holds shape (" + String.join(",", shape) + "), not [n, d]");
      }
      long rows = Long.parseLong(shape[0].trim());
      int dim = Integer.parseInt(shape[1].trim());
      if (rows < 0 || dim <= 0) {
        throw new IOException(path + " holds shape (" + rows + ", " + dim + ")");
      }
      return new NpyReader(path, in, rows, dim);
    } catch (IOException | RuntimeException e) {
      raw.close();
      if (e instanceof NumberFormatException) {
        throw new IOException(path + " has an unreadable .npy shape: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  private static String group(Pattern p, String dict, Path path) throws IOException {
    Matcher m = p.matcher(dict);
    if (!m.find()) {
      throw new IOException(path + " has a .npy header without " + p.pattern().split("'")[1]);
    }
    return m.group(1);
  }

  /**
   * The row count from the header.
   *
   * @return the count
   */
  public long rows() {
    return rows;
  }

  /**
   * The row length.
   *
   * @return the dimension
   */
  public int dimension() {
    return dimension;
  }

  /**
   * Reads the next row.
   *
   * @return the row, or null after the last
   * @throws IOException if the file ends early
   */
  public float[] next() throws IOException {
    if (read == rows) {
      return null;
    }
    try {
      in.readFully(rowBytes);
    } catch (EOFException e) {
      throw new IOException(path + " ends after " + read + " of its " + rows + " rows", e);
    }
    read++;
    float[] row = new float[dimension];
    ByteBuffer.wrap(rowBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(row);
    return row;
  }

  /** Closes the file; idempotent. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  public String toString() {
    return "NpyReader[" + path + ", " + rows + " x " + dimension + "]";
  }
}
