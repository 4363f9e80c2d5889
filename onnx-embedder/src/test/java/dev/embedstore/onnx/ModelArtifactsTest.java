package dev.embedstore.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Each bundled model is an artifact of its own: the tests' class path has all three (test scope),
 * and class loaders over the same class path without some of their jars stand for an application
 * that added one model, or none.
 */
class ModelArtifactsTest {

  @Test
  void everyModelArtifactMarksItselfAndBringsItsFiles() throws IOException {
    ClassLoader loader = ModelArtifactsTest.class.getClassLoader();
    for (BundledModel m : BundledModel.values()) {
      assertEquals("dev.embedstore:embedstore-model-" + m.modelName(), m.coordinates());
      URL marker = loader.getResource(m.markerResource());
      assertNotNull(marker, m.coordinates() + " is a test dependency but its marker is missing");
      Properties props = new Properties();
      try (InputStream in = marker.openStream()) {
        props.load(in);
      }
      assertEquals(m.modelName(), props.getProperty("model"));
      String artifact = props.getProperty("artifact");
      assertTrue(artifact.startsWith(m.coordinates() + ":"), artifact);
      String files = props.getProperty("files");
      assertTrue(files.matches("\\Q" + m.filesArtifact() + "\\E:[0-9][^:$]*"), files);
      // The ONNX file comes from the jar the model artifact depends on.
      String filesJar = m.filesArtifact().substring(m.filesArtifact().indexOf(':') + 1);
      URL onnx = loader.getResource(m.onnxResource());
      assertNotNull(onnx, m.onnxResource());
      assertTrue(onnx.toString().contains("/" + filesJar + "-"), onnx.toString());
    }
  }

  @Test
  void withoutItsArtifactAModelFailsToOpenNamingTheArtifact() throws Exception {
    try (URLClassLoader app = classPathWithout(entry -> holdsAnyOf(entry, modelResources(true)))) {
      for (BundledModel m : BundledModel.values()) {
        IllegalArgumentException byName = openFails(app, "open", m.modelName());
        assertEquals(
            "the bundled model "
                + m.modelName()
                + " is not on the class path; add the Maven artifact "
                + m.coordinates()
                + " to the application (embedstore-bom gives its version)",
            byName.getMessage());
        IllegalArgumentException bundled = openFails(app, "bundled", m.modelName());
        assertEquals(byName.getMessage(), bundled.getMessage());
      }
    }
  }

  @Test
  void aModelArtifactWhoseFilesWereExcludedNamesTheMissingJar() throws Exception {
    try (URLClassLoader app = classPathWithout(entry -> holdsAnyOf(entry, modelResources(false)))) {
      for (BundledModel m : BundledModel.values()) {
        String message = openFails(app, "open", m.modelName()).getMessage();
        assertTrue(message.startsWith("the bundled model " + m.modelName() + " has no "), message);
        assertTrue(message.contains(m.onnxResource() + " nor " + m.tokenizerResource()), message);
        assertTrue(message.contains(m.coordinates() + " is there ("), message);
        assertTrue(
            message.contains("but not the jar with its files, " + m.filesArtifact()), message);
        assertTrue(
            message.endsWith("do not exclude that dependency of " + m.artifactId()), message);
      }
    }
  }

  /** An application that added one model artifact opens that model, and no other. */
  @Test
  void anApplicationWithOneModelOpensThatOne() throws Exception {
    BundledModel chosen = BundledModel.ALL_MINILM_L6_V2_Q;
    List<String> others = new ArrayList<>();
    for (BundledModel m : BundledModel.values()) {
      if (m != chosen) {
        others.add(m.onnxResource());
        others.add(m.markerResource());
      }
    }
    try (URLClassLoader app = classPathWithout(entry -> holdsAnyOf(entry, others))) {
      Class<?> embedder = app.loadClass(OnnxEmbedder.class.getName());
      assertTrue(embedder != OnnxEmbedder.class, "the class must come from the isolated loader");
      // Opening reads no file and starts no native session: the embedder only checks its files.
      AutoCloseable opened =
          (AutoCloseable) embedder.getMethod("open", String.class).invoke(null, chosen.modelName());
      try {
        assertEquals(chosen.modelName(), embedder.getMethod("modelName").invoke(opened));
      } finally {
        opened.close();
      }
      for (BundledModel m : BundledModel.values()) {
        if (m != chosen) {
          String message = openFails(app, "open", m.modelName()).getMessage();
          assertTrue(message.contains("add the Maven artifact " + m.coordinates()), message);
        }
      }
    }
  }

  /** The resource names of every model's files, and of the markers too if asked. */
  private static List<String> modelResources(boolean withMarkers) {
    List<String> names = new ArrayList<>();
    for (BundledModel m : BundledModel.values()) {
      names.add(m.onnxResource());
      names.add(m.tokenizerResource());
      if (withMarkers) {
        names.add(m.markerResource());
      }
    }
    return names;
  }

  private static IllegalArgumentException openFails(ClassLoader app, String method, String name)
      throws ReflectiveOperationException {
    Method open = app.loadClass(OnnxEmbedder.class.getName()).getMethod(method, String.class);
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> open.invoke(null, name));
    return assertInstanceOf(IllegalArgumentException.class, thrown.getCause());
  }

  /**
   * A loader over this JVM's class path less the entries the predicate picks, over the platform
   * loader (so nothing of the tests' own loader leaks in).
   */
  private static URLClassLoader classPathWithout(Predicate<URL> drop) throws IOException {
    List<URL> kept = new ArrayList<>();
    int dropped = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      URL url = toUrl(entry);
      if (drop.test(url)) {
        dropped++;
      } else {
        kept.add(url);
      }
    }
    assertTrue(dropped > 0, "no class path entry was dropped: the test would prove nothing");
    return new URLClassLoader(
        "without-models", kept.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  private static boolean holdsAnyOf(URL entry, List<String> resources) {
    try (URLClassLoader one = new URLClassLoader(new URL[] {entry}, null)) {
      for (String r : resources) {
        if (one.findResource(r) != null) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new AssertionError("cannot close a loader over " + entry, e);
    }
  }

  private static URL toUrl(String entry) {
    try {
      return Path.of(entry).toUri().toURL();
    } catch (MalformedURLException e) {
      throw new AssertionError("class path entry " + entry, e);
    }
  }
}
