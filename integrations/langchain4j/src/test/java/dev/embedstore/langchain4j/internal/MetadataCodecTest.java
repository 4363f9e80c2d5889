package dev.embedstore.langchain4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embedstore.store.Document;
import dev.langchain4j.data.document.Metadata;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Metadata goes into store fields and comes back with its exact Java types. */
class MetadataCodecTest {
  @Test
  void everyTypeAndExtremeRoundTrips() {
    UUID u = UUID.randomUUID();
    Metadata m =
        new Metadata()
            .put("s", "")
            .put("u", u)
            .put("i", Integer.MIN_VALUE)
            .put("i2", Integer.MAX_VALUE)
            .put("l", Long.MIN_VALUE)
            .put("l2", Long.MAX_VALUE)
            .put("f", -Float.MAX_VALUE)
            .put("f2", Float.MIN_VALUE)
            .put("f3", 1.23456789f)
            .put("f4", -0.0f)
            .put("d", Double.MIN_VALUE)
            .put("d2", 1.23456789d);
    // Through a store Document, which normalises Integer to Long and Float to Double.
    Document d = new Document("id", "", null, MetadataCodec.encode(m));
    Metadata back = MetadataCodec.decode(d.metadata());
    assertEquals(m.toMap(), back.toMap());
    for (String key : m.toMap().keySet()) {
      assertEquals(m.toMap().get(key).getClass(), back.toMap().get(key).getClass(), key);
    }
  }

  @Test
  void oneKeyAtSeveralTypesGetsSeveralFields() {
    assertEquals("key", MetadataCodec.field("key", MetadataCodec.Kind.STRING));
    assertEquals("key#int", MetadataCodec.field("key", MetadataCodec.Kind.INTEGER));
    assertEquals("key#float", MetadataCodec.field("key", MetadataCodec.Kind.FLOAT));
    // A string key that looks like a typed field is escaped, so that it decodes as itself.
    assertEquals("key#int#str", MetadataCodec.field("key#int", MetadataCodec.Kind.STRING));
    assertEquals("a#b", MetadataCodec.field("a#b", MetadataCodec.Kind.STRING));
    Metadata m = new Metadata().put("key#int", "x").put("key", 1).put("a#b", "y");
    assertEquals(
        m.toMap(),
        MetadataCodec.decode(new Document("id", "", null, MetadataCodec.encode(m)).metadata())
            .toMap());
  }

  @Test
  void foreignFieldsComeBackAsStoreValues() {
    Map<String, Object> stored =
        Map.of(
            "year",
            2020L,
            "score",
            1.5,
            "flag",
            true,
            "tags",
            List.of("a", "b"),
            MetadataCodec.NO_SEGMENT,
            true,
            "n#int",
            "not a number");
    Map<String, Object> back = MetadataCodec.decode(stored).toMap();
    assertEquals(
        Map.of("year", 2020L, "score", 1.5, "flag", "true", "tags", "a,b", "n#int", "not a number"),
        back);
  }
}
