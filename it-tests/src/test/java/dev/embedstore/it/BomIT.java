package dev.embedstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * {@code bom/pom.xml} manages exactly the artifacts this build publishes, at the build's version. A
 * module is published unless its POM sets {@code maven.deploy.skip} (the test, benchmark and
 * example modules); parent and aggregator POMs are not managed; a module that attaches a test-jar
 * publishes that too. Reads the POMs of the checkout, starting from the root's {@code <modules>}.
 */
class BomIT {
  private static final Path ROOT = LauncherIT.ROOT;

  /** One module of the reactor, as its POM declares it. */
  private record Module(Path pom, String artifactId, String packaging, boolean published) {}

  @Test
  void theBomManagesEveryPublishedArtifactAndNothingElse() throws Exception {
    Set<String> published = new TreeSet<>();
    for (Module m : modules(ROOT.resolve("pom.xml"))) {
      if (m.published() && m.packaging().equals("jar")) {
        published.add(m.artifactId());
        if (Files.readString(m.pom()).contains("<goal>test-jar</goal>")) {
          published.add(m.artifactId() + ":test-jar");
        }
      }
    }
    assertTrue(
        published.contains("embedstore-store-lucene"), "the walk missed modules: " + published);
    assertTrue(published.contains("embedstore-model-bge-small-en-v1.5"), published.toString());

    Set<String> managed = new TreeSet<>();
    for (Element d : managedDependencies(ROOT.resolve("bom/pom.xml"))) {
      assertEquals(
          "dev.embedstore", text(d, "groupId"), "the BOM manages Embedstore's own artifacts");
      assertEquals(
          "${project.version}",
          text(d, "version"),
          text(d, "artifactId") + ": every entry has the BOM's own version");
      String type = text(d, "type");
      managed.add(text(d, "artifactId") + (type == null || type.equals("jar") ? "" : ":" + type));
    }

    Set<String> missing = new TreeSet<>(published);
    missing.removeAll(managed);
    Set<String> extra = new TreeSet<>(managed);
    extra.removeAll(published);
    assertTrue(
        missing.isEmpty() && extra.isEmpty(),
        "bom/pom.xml must manage every published artifact: add "
            + missing
            + ", remove "
            + extra
            + " (or set maven.deploy.skip in a module that is not published)");
  }

  @Test
  void theBomHasNoParentAndTheBuildsVersion() throws Exception {
    Element bom = parse(ROOT.resolve("bom/pom.xml"));
    Element parent = parse(ROOT.resolve("pom.xml"));
    // An imported BOM brings its parents' dependencyManagement along: Lucene, JUnit and the rest
    // would then be pinned in every application.
    assertNull(child(bom, "parent"), "embedstore-bom must have no parent");
    assertEquals("embedstore-bom", text(bom, "artifactId"));
    assertEquals(text(parent, "version"), text(bom, "version"), "the BOM's version is the build's");
    assertEquals(text(parent, "groupId"), text(bom, "groupId"));
  }

  /** The modules under an aggregator POM, depth first, aggregators included. */
  private static List<Module> modules(Path aggregator) throws IOException {
    List<Module> out = new ArrayList<>();
    Element project = parse(aggregator);
    Element modules = child(project, "modules");
    if (modules == null) {
      return out;
    }
    for (Element module : children(modules, "module")) {
      Path pom = aggregator.resolveSibling(module.getTextContent().strip()).resolve("pom.xml");
      assertTrue(Files.isRegularFile(pom), pom + " is listed as a module but does not exist");
      Element p = parse(pom);
      String packaging = text(p, "packaging");
      Element props = child(p, "properties");
      boolean skipped = props != null && "true".equals(text(props, "maven.deploy.skip"));
      out.add(
          new Module(pom, text(p, "artifactId"), packaging == null ? "jar" : packaging, !skipped));
      out.addAll(modules(pom));
    }
    return out;
  }

  private static List<Element> managedDependencies(Path pom) throws IOException {
    Element management = child(parse(pom), "dependencyManagement");
    assertTrue(management != null, pom + " has no dependencyManagement");
    return children(child(management, "dependencies"), "dependency");
  }

  private static Element parse(Path pom) throws IOException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      return f.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("cannot parse " + pom + ": " + e.getMessage(), e);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().strip();
  }
}
