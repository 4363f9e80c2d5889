package dev.embedstore.store.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class LibraryVersionTest {
  /** Stores record the build's version, not a constant that drifts from it. */
  @Test
  void isTheBuildsVersion() {
    String build = System.getProperty("embedstore.project.version");
    assertNotNull(build, "the build passes -Dembedstore.project.version to the tests");
    assertEquals(build, LibraryVersion.get());
  }
}
