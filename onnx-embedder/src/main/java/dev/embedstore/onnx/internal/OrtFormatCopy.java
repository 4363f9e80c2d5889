package dev.embedstore.onnx.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A bundled model as ONNX Runtime's own serialisation of its graph after the optimiser has run (the
 * "ORT format", a flat buffer), kept in the {@link Unpacked} folder. Creating a session from it
 * skips parsing the protobuf, copying every weight and optimising the graph: 41-49 ms against
 * 150-200 for the fp32 all-MiniLM-L6-v2, 13-20 against 57-136 for its int8 graph, 72-171 against
 * 186-695 for bge-small (AMD EPYC, one JVM each), and the session reads its weights from the mapped
 * file instead of holding a copy.
 *
 * <p>The file is written by the first session made from the ONNX file, which is then optimised at
 * {@code EXTENDED_OPT} rather than {@code ALL_OPT}: the level above only adds layout changes for
 * convolutions, which are hardware-specific (so unfit for a file) and which a BERT graph has none
 * of. A session from the file gives bit for bit the vectors of one made from the ONNX file at
 * {@code ALL_OPT} ({@code UnpackedTest}).
 *
 * <p>Named {@code STEM-CRC.ort}, where the stem names the model, the first 8 bytes of its SHA-256
 * and ONNX Runtime's version (the format belongs to a version), and CRC is the file's own CRC-32: a
 * file is written under a temporary name, then moved into place under its checksum, so a file that
 * is there is whole, and one whose bytes no longer match its name is deleted, not loaded.
 */
public final class OrtFormatCopy {
  private OrtFormatCopy() {}

  /**
   * The stem of a model's copies for one version of ONNX Runtime.
   *
   * @param model the model's own stem in the folder: its name and the first bytes of its ONNX
   *     file's SHA-256
   * @param ortVersion ONNX Runtime's version
   * @return the stem, a path in the folder
   */
  public static Path stem(Path model, String ortVersion) {
    return model.resolveSibling(model.getFileName() + "-ort" + ortVersion);
  }

  /**
   * A copy in the folder, mapped.
   *
   * @param file the file
   * @param bytes its bytes, checked against its name
   */
  public record Copy(Path file, MappedByteBuffer bytes) {}

  /**
   * Maps the copy of a stem whose bytes match its name; deletes copies that do not.
   *
   * @param stem the stem
   * @return the mapped copy, or null when there is none (or it cannot be read)
   */
  public static Copy map(Path stem) {
    Path folder = stem.getParent();
    String prefix = stem.getFileName() + "-";
    if (!Files.isDirectory(folder)) {
      return null;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, prefix + "*.ort")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String crc = name.substring(prefix.length(), name.length() - ".ort".length());
        if (!crc.matches("[0-9a-f]{8}")) {
          continue;
        }
        MappedByteBuffer mapped = Unpacked.mapIfCrc(file, Long.parseLong(crc, 16));
        if (mapped != null) {
          return new Copy(file, mapped);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null; // only a speed-up
    }
    return null;
  }

  /**
   * A new temporary file for ONNX Runtime to write a copy into, or null when the folder cannot be
   * written.
   *
   * @param stem the stem
   * @return the temporary file (ONNX Runtime overwrites it), or null
   */
  public static Path newPart(Path stem) {
    try {
      Files.createDirectories(stem.getParent());
      return Unpacked.newPart(stem);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Moves a copy ONNX Runtime has written into place under its CRC-32; deletes it on failure.
   *
   * @param part the temporary file, written whole
   * @param stem the stem
   */
  public static void publish(Path part, Path stem) {
    try {
      CRC32 crc = new CRC32();
      try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ)) {
        if (ch.size() == 0) {
          Unpacked.deleteQuietly(part);
          return;
        }
        crc.update(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
      }
      Path file =
          stem.resolveSibling(
              String.format(Locale.ROOT, "%s-%08x.ort", stem.getFileName(), crc.getValue()));
      Unpacked.move(part, file);
    } catch (IOException | RuntimeException e) {
      Unpacked.deleteQuietly(part);
    }
  }
}
