import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * A build step, run with the JDK's source launcher ({@code java UpgradeClassFiles.java FOLDER...};
 * it needs JDK 24+ for {@code java.lang.classfile}): rewrites every class of a jar in the folders
 * whose class-file version is older than Java 6 (50) as a Java 8 (52) class with stack-map frames,
 * and leaves everything else alone, bytes and timestamps included.
 *
 * <p>Why: the JVM's class-data-sharing archives skip "old" classes once they are linked, since the
 * old verifier's work cannot be archived. picocli ships as Java 5 classes (version 49), so every
 * command loaded and verified its ~190 picocli classes from the jar even with an archive, about
 * 80 ms of a 0.3 s {@code --help} (docs/distribution.md). The bytecode is unchanged: only the
 * version and the frames that the type-checking verifier needs are new, computed by the JDK's own
 * class-file library. A class it cannot frame (an unknown supertype, old {@code jsr} code) keeps its
 * original bytes and version, and a signed jar is left whole, since rewriting would break its
 * signature. Running it again changes nothing.
 */
public final class UpgradeClassFiles {
  private static final int OLD = 50;
  private static final int TARGET = 52;

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: java UpgradeClassFiles.java FOLDER...");
      System.exit(2);
    }
    for (String arg : args) {
      try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(arg), "*.jar")) {
        for (Path jar : jars) {
          upgrade(jar);
        }
      }
    }
  }

  private static void upgrade(Path jar) throws IOException {
    List<JarEntry> entries = new ArrayList<>();
    int old = 0;
    boolean signed = false;
    try (JarFile in = new JarFile(jar.toFile(), false)) {
      for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        entries.add(entry);
        String name = entry.getName();
        if (name.startsWith("META-INF/") && name.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
          signed = true;
        }
        if (isClass(entry) && majorVersion(in, entry) < OLD) {
          old++;
        }
      }
      if (old == 0) {
        return;
      }
      if (signed) {
        System.out.println(jar.getFileName() + ": signed, left as it is (" + old + " old classes)");
        return;
      }
      Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrading");
      int upgraded = 0;
      List<String> kept = new ArrayList<>();
      try (URLClassLoader loader =
              new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
          OutputStream file = Files.newOutputStream(tmp);
          JarOutputStream out = new JarOutputStream(file)) {
        ClassFile framing =
            ClassFile.of(
                ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver()
                        .orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
        for (JarEntry entry : entries) {
          byte[] bytes = in.getInputStream(entry).readAllBytes();
          if (isClass(entry) && version(bytes) < OLD) {
            try {
              bytes = reframe(framing, bytes);
              upgraded++;
            } catch (RuntimeException e) {
              kept.add(entry.getName() + " (" + e.getMessage() + ")");
            }
          }
          JarEntry copy = new JarEntry(entry.getName());
          copy.setTime(entry.getTime());
          out.putNextEntry(copy);
          out.write(bytes);
          out.closeEntry();
        }
      }
      Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.println(
          jar.getFileName()
              + ": "
              + upgraded
              + " classes from before Java 6 rewritten as Java 8 classes with stack maps"
              + (kept.isEmpty() ? "" : "; kept as they were: " + kept));
    }
  }

  /** The same class at version 52, every method's code re-emitted so that frames are computed. */
  private static byte[] reframe(ClassFile framing, byte[] bytes) {
    ClassModel model = framing.parse(bytes);
    ClassTransform version =
        (builder, element) -> {
          if (element instanceof ClassFileVersion) {
            builder.withVersion(TARGET, 0);
          } else {
            builder.with(element);
          }
        };
    return framing.transformClass(
        model, version.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
  }

  private static boolean isClass(JarEntry entry) {
    String name = entry.getName();
    // module-info and versioned entries are Java 9+ by definition.
    return name.endsWith(".class")
        && !name.startsWith("META-INF/")
        && !name.endsWith("module-info.class");
  }

  private static int majorVersion(JarFile jar, JarEntry entry) throws IOException {
    try (var in = jar.getInputStream(entry)) {
      return version(in.readNBytes(8));
    }
  }

  private static int version(byte[] header) {
    if (header.length < 8
        || (header[0] & 0xFF) != 0xCA
        || (header[1] & 0xFF) != 0xFE
        || (header[2] & 0xFF) != 0xBA
        || (header[3] & 0xFF) != 0xBE) {
      return Integer.MAX_VALUE; // not a class file: leave it alone
    }
    return ((header[6] & 0xFF) << 8) | (header[7] & 0xFF);
  }
}
