package dev.embedstore.store.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this Embedstore build, as the build wrote it (such as {@code 0.1.0-SNAPSHOT}):
 * stores record it with their commits, so a store tells which version last wrote it.
 */
public final class LibraryVersion {
  private static final String VERSION = read();

  private LibraryVersion() {}

  /**
   * This build's version.
   *
   * @return the version
   */
  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = LibraryVersion.class.getResourceAsStream("library.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "library.properties is missing from embedstore-core: a broken build");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isEmpty() || v.startsWith("${")) {
        throw new IllegalStateException("library.properties was not filtered by the build: " + v);
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read embedstore-core's library.properties", e);
    }
  }
}
