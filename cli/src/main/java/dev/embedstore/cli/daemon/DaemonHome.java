package dev.embedstore.cli.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The folder where one user's background processes keep their sockets, logs and start locks, and
 * the identity that picks a process for a JVM.
 *
 * <p>The folder is {@code $EMBEDSTORE_DAEMON_DIR}, else {@code $XDG_RUNTIME_DIR/embedstore}, else
 * {@code java.io.tmpdir/embedstore-USER}; it is made with mode 0700 and refused when it is not the
 * user's own or others may enter it, since whoever can connect to a socket there runs commands as
 * this user. Per process, named by its key: {@code KEY.sock}, {@code KEY.log} (what it printed, for
 * when it fails), {@code KEY.lock} (held while a client starts it).
 *
 * <p>The key is a digest of everything that must match for a client's command to run in the process
 * as it would in the client's own JVM: the Java runtime, the JVM options and the class path, with
 * every jar's size and modification time (a rebuild makes a new process; the old one sees its jars
 * change and ends).
 */
final class DaemonHome {
  /** Environment variable naming the folder. */
  static final String DIR_ENV = "EMBEDSTORE_DAEMON_DIR";

  private final Path dir;

  private DaemonHome(Path dir) {
    this.dir = dir;
  }

  /**
   * The user's folder, made when missing.
   *
   * @return the folder
   * @throws IOException if it cannot be made, or may be entered by others
   */
  static DaemonHome locate() throws IOException {
    String user = System.getProperty("user.name", "user");
    String set = System.getenv(DIR_ENV);
    Path dir;
    if (set != null && !set.isEmpty()) {
      dir = Path.of(set);
    } else {
      String runtime = System.getenv("XDG_RUNTIME_DIR");
      dir =
          runtime != null && !runtime.isEmpty()
              ? Path.of(runtime, "embedstore")
              : Path.of(System.getProperty("java.io.tmpdir"), "embedstore-" + user);
    }
    dir = dir.toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made by a concurrent client: checked below like any other
      }
    }
    // The unix view's mode: a tenth of the cost of getPosixFilePermissions in a cold JVM.
    String owner = Files.getOwner(dir).getName();
    int mode = (Integer) Files.getAttribute(dir, "unix:mode");
    if (!owner.equals(user) || (mode & 0077) != 0) {
      throw new IOException(
          dir
              + " is not private to "
              + user
              + " (owner "
              + owner
              + ", mode "
              + Integer.toOctalString(mode & 0777)
              + "); set "
              + DIR_ENV
              + " to a folder only you can enter");
    }
    return new DaemonHome(dir);
  }

  Path dir() {
    return dir;
  }

  Path socket(String key) {
    return dir.resolve(key + ".sock");
  }

  Path log(String key) {
    return dir.resolve(key + ".log");
  }

  Path lock(String key) {
    return dir.resolve(key + ".lock");
  }

  /** The sockets of every process in the folder, live or left by one that died. */
  List<Path> sockets() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (f.getFileName().toString().endsWith(".sock")) {
          out.add(f);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * The key of a process that runs {@code java} with these JVM options (class path included).
   *
   * <p>The digest is of one string, built from the command line's own text so that the native
   * client ({@code cli/src/main/c/embedstore-client.c}) builds the same one byte for byte: {@link
   * Wire#MAGIC} in decimal; the {@code java} path as given and the size and modification time of it
   * and of its runtime's {@code lib/modules} (a JDK update changes them); then each option on a
   * line of its own, but {@code -XX:SharedArchiveFile=...} (which archive the process maps does not
   * matter); a class path option's value is replaced by a line per entry with the entry's size and
   * modification time, a {@code DIR/*} entry by a line per jar in DIR, in name order.
   *
   * @param java the {@code java} executable the process runs
   * @param jvmOptions the options the process starts with
   * @return 16 hex digits
   */
  static String key(String java, List<String> jvmOptions) {
    StringBuilder s = new StringBuilder();
    s.append(Wire.MAGIC).append('\n');
    stamp(java, s);
    String bin = java.substring(0, Math.max(0, java.lastIndexOf('/')));
    stamp(bin.substring(0, Math.max(0, bin.lastIndexOf('/'))) + "/lib/modules", s);
    for (int i = 0; i < jvmOptions.size(); i++) {
      String o = jvmOptions.get(i);
      if (o.startsWith("-XX:SharedArchiveFile=") || o.startsWith("-XX:ArchiveClassesAtExit=")) {
        continue;
      }
      s.append(o).append('\n');
      if ((o.equals("-cp") || o.equals("-classpath") || o.equals("--class-path"))
          && i + 1 < jvmOptions.size()) {
        classPathStamp(jvmOptions.get(++i), s);
      }
    }
    return HexFormat.of().toHexDigits(fnv1a64(s.toString()));
  }

  /**
   * A class path with each jar's size and modification time: it changes when a jar is rebuilt. A
   * {@code DIR/*} entry stands for the jars in DIR, as for the {@code java} command.
   *
   * @param classPath the class path
   * @return one line per jar or folder
   */
  static String classPathStamp(String classPath) {
    StringBuilder s = new StringBuilder();
    classPathStamp(classPath, s);
    return s.toString();
  }

  private static void classPathStamp(String classPath, StringBuilder s) {
    for (String e : classPath.split(":")) {
      if (e.equals("*") || e.endsWith("/*")) {
        String prefix = e.substring(0, e.length() - 1);
        List<String> jars = new ArrayList<>();
        try (DirectoryStream<Path> found =
            Files.newDirectoryStream(Path.of(prefix.isEmpty() ? "." : prefix))) {
          for (Path f : found) { // no glob: it would compile a regular expression
            String name = f.getFileName().toString();
            if (name.endsWith(".jar") || name.endsWith(".JAR")) {
              jars.add(name);
            }
          }
        } catch (IOException e1) {
          // no such folder: no jars
        }
        jars.sort(null);
        for (String jar : jars) {
          stamp(prefix + jar, s);
        }
      } else if (!e.isEmpty()) {
        stamp(e, s);
      }
    }
  }

  /** A line: the path as given, then its size and modification time (ms) when it exists. */
  private static void stamp(String path, StringBuilder s) {
    s.append(path);
    try {
      BasicFileAttributes a = Files.readAttributes(Path.of(path), BasicFileAttributes.class);
      s.append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis());
    } catch (IOException | java.nio.file.InvalidPathException e) {
      // missing: the path alone
    }
    s.append('\n');
  }

  /**
   * FNV-1a, 64 bits, over the UTF-8 bytes: enough to tell a user's few configurations apart (the
   * folder is private, nobody picks keys against it), and it loads no security provider, which
   * would cost a client more than its whole connection.
   */
  static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
