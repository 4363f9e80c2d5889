package dev.embedstore.cli.input;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and reads the plain-text files under the paths given to {@code index}.
 *
 * <p>Folders are walked recursively in name order (so runs are repeatable), skipping hidden files
 * and folders (names starting with {@code .}, such as {@code .git}) and symbolic links. A file is
 * binary, and skipped, when its first 8 KiB hold a NUL byte or more than 1 % of invalid UTF-8;
 * otherwise it is decoded as UTF-8, with any invalid bytes replaced by U+FFFD and reported.
 */
public final class TextFiles {
  /** How much of a file is sniffed to tell text from binary. */
  static final int SNIFF_BYTES = 8192;

  private TextFiles() {}

  /**
   * Lists the files under the given paths: each file as given, each folder walked.
   *
   * @param paths files and folders
   * @return the regular files, folders in name order
   * @throws IOException if a path does not exist or a folder cannot be read
   */
  public static List<Path> list(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(
            path,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(path) && hidden(dir)
                    ? FileVisitResult.SKIP_SUBTREE
                    : FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !hidden(file)) {
                  found.add(file);
                }
                return FileVisitResult.CONTINUE;
              }
            });
        found.sort(null);
        files.addAll(found);
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString(), null, "no such file or folder");
      }
    }
    return files;
  }

  /**
   * Whether a file holds JSON lines records rather than text ({@code .jsonl}).
   *
   * @param file the file
   * @return true for {@code .jsonl} files
   */
  public static boolean isJsonl(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
  }

  private static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  /** What reading a file gave. */
  public sealed interface Content permits Content.Text, Content.Binary {
    /**
     * A text file.
     *
     * @param text its text
     * @param invalidUtf8 whether invalid bytes were replaced with U+FFFD
     */
    record Text(String text, boolean invalidUtf8) implements Content {}

    /** A binary file, skipped. */
    record Binary() implements Content {}
  }

  /**
   * Reads a file as text, or tells that it is binary.
   *
   * @param file the file
   * @return its text, or {@link Content.Binary}
   * @throws IOException if it cannot be read
   */
  public static Content read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return decode(bytes);
  }

  /**
   * Decides whether bytes are text and decodes them.
   *
   * @param bytes a file's bytes
   * @return its text, or {@link Content.Binary}
   */
  static Content decode(byte[] bytes) {
    int sniff = Math.min(bytes.length, SNIFF_BYTES);
    for (int i = 0; i < sniff; i++) {
      if (bytes[i] == 0) {
        return new Content.Binary();
      }
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return new Content.Text(stripBom(text), false);
    } catch (CharacterCodingException e) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      int replaced = 0;
      int sniffedChars = Math.min(text.length(), sniff);
      for (int i = 0; i < sniffedChars; i++) {
        if (text.charAt(i) == '\uFFFD') {
          replaced++;
        }
      }
      // Latin-1 or UTF-16 text, images, archives: mostly invalid as UTF-8 from the first bytes on.
      if (replaced * 100 > Math.max(sniffedChars, 1)) {
        return new Content.Binary();
      }
      return new Content.Text(stripBom(text), true);
    }
  }

  private static String stripBom(String s) {
    return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
  }
}
