package dev.embedstore.store.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.embedstore.store.Document;
import dev.embedstore.text.TextSplitter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the digest's format: the expected values were computed by an independent implementation of
 * the format on the class's javadoc (Python's hashlib, struct and a WTF-8 encoder), so a change to
 * the encoding shows here before it makes every stored document look changed.
 */
class DocumentDigestTest {
  private static Map<String, Object> meta(List<String> tags) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("year", 2020);
    m.put("score", 1.5);
    m.put("ok", true);
    m.put("tags", tags);
    m.put("s", "v");
    return m;
  }

  @Test
  void matchesAnIndependentImplementation() {
    assertEquals(
        "bc83978e3b976c63475fda60db82662b5f97e857757530c59fc4e6d02a3f9d68",
        DocumentDigest.of(Document.of("any id", "hello"), null));
    assertEquals(
        "5006f2a13761200d7bf6313db109319c72aba9c2aa3e71c25bbd768e138f85af",
        DocumentDigest.of(new Document("x", "x\uD800y", "T", meta(List.of("a, b"))), null));
    assertEquals(
        "0cabc0146e6765d3345f11c6f959b69cd3d9d72c4d184be561549d73c5c9c766",
        DocumentDigest.of(new Document("x", "x\uD800y", "T", meta(List.of("a", "b"))), null));
    TextSplitter unnamed = TextSplitter.of(t -> t.length(), 12, 0);
    assertEquals(
        "e197f4000c996cd85e7fa1a415ede9162c57aad03ba104ca5f34213ac4c6cfad",
        DocumentDigest.of(Document.of("y", "text"), unnamed));
    assertEquals(
        "70d252c90fe58986db2129e5368579acdd9cd39992ea381778b62f8b32deb7f2",
        DocumentDigest.of(Document.of("z", "v").withVector(new float[] {0.5f, -1f, 3.25f}), null));
  }

  /** What the first version's hash could not tell apart. */
  @Test
  void documentsThatLookAlikeAsTextDigestApart() {
    List<Document[]> pairs =
        List.of(
            new Document[] {
              new Document("a", "t", null, Map.of("k", List.of("a, b"))),
              new Document("a", "t", null, Map.of("k", List.of("a", "b")))
            },
            new Document[] {Document.of("a", "x\uD800y"), Document.of("a", "x\uDC00y")},
            new Document[] {Document.of("a", "x\uD800y"), Document.of("a", "x?y")},
            new Document[] {
              new Document("a", "t", "", Map.of()), new Document("a", "t", null, Map.of())
            },
            new Document[] {
              new Document("a", "t", null, Map.of("k", 1L)),
              new Document("a", "t", null, Map.of("k", 1.0))
            },
            new Document[] {
              new Document("a", "t", null, Map.of("k", "true")),
              new Document("a", "t", null, Map.of("k", true))
            },
            new Document[] {
              new Document("a", "t", null, Map.of("k", "1")),
              new Document("a", "t", null, Map.of("k", 1L))
            },
            new Document[] {
              Document.of("a", "t").withVector(new float[] {0f}),
              Document.of("a", "t").withVector(new float[] {-0f})
            });
    for (Document[] p : pairs) {
      assertNotEquals(
          DocumentDigest.of(p[0], null), DocumentDigest.of(p[1], null), p[0] + " " + p[1]);
    }
    assertEquals(
        DocumentDigest.of(Document.of("id one", "t"), null),
        DocumentDigest.of(Document.of("id two", "t"), null),
        "the id is not content");
  }
}
