package dev.embedstore.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web page's files, read from this module's class path once, when the server is built. A
 * request's path is only ever a key of this fixed map: it never reaches a file system.
 */
final class StaticFiles {
  /** One file: its bytes and content type. */
  record File(byte[] bytes, String contentType) {}

  private static final String DIR = "web/";

  private final Map<String, File> files;

  StaticFiles() {
    File index = load("index.html", "text/html; charset=utf-8");
    files =
        Map.of(
            "/", index,
            "/index.html", index,
            "/app.js", load("app.js", "text/javascript; charset=utf-8"),
            "/style.css", load("style.css", "text/css; charset=utf-8"),
            "/favicon.svg", load("favicon.svg", "image/svg+xml"));
  }

  /** The file served at a path, or null. */
  File get(String path) {
    return files.get(path);
  }

  private static File load(String name, String contentType) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "the web page's " + name + " is missing from the embedstore-server jar");
      }
      return new File(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the web page's " + name + " from the jar", e);
    }
  }
}
