package dev.embedstore.server.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.store.Filter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRecordsTest {
  static JsonRecords.Batch read(String s, boolean strict) throws IOException {
    return JsonRecords.read(s.getBytes(StandardCharsets.UTF_8), "body", strict);
  }

  @Test
  void anArrayAndJsonLinesGiveTheSameRecords() throws IOException {
    String a =
        "{\"id\":\"a\",\"text\":\"x\",\"title\":\"T\",\"metadata\":{\"n\":1,\"tags\":[\"p\"]}}";
    String b = "{\"_id\":7,\"text\":\"y\"}";
    JsonRecords.Batch array = read("  [" + a + ",\n" + b + "]\n", false);
    JsonRecords.Batch lines = read(a + "\n\n" + b + "\n", false);
    assertEquals(List.of(), array.problems());
    assertEquals(List.of(), lines.problems());
    assertEquals(2, array.records().size());
    for (int i = 0; i < 2; i++) {
      InputRecord x = array.records().get(i);
      InputRecord y = lines.records().get(i);
      assertEquals(x.id(), y.id());
      assertEquals(x.text(), y.text());
      assertEquals(x.title(), y.title());
      assertEquals(x.metadata(), y.metadata());
    }
    assertEquals(Map.of("n", 1L, "tags", List.of("p")), array.records().get(0).metadata());
    assertEquals("7", array.records().get(1).id());
    assertEquals("body[1]", array.records().get(1).origin());
    assertEquals("body:3", lines.records().get(1).origin());
  }

  @Test
  void problemsNameWhereTheyAre() throws IOException {
    JsonRecords.Batch lines =
        read("{\"id\":\"a\"}\n{\"id\":\"b\",\"text\":\"ok\"}\nnot json\n", false);
    assertEquals(1, lines.records().size());
    assertEquals(2, lines.problems().size());
    assertEquals("body:1", lines.problems().get(0).origin());
    assertEquals("body:3", lines.problems().get(1).origin());

    JsonRecords.Batch array = read("[{\"id\":\"a\",\"text\":\"ok\"}, 5, {\"id\":\"c\"}]", false);
    assertEquals("body[1]", array.problems().get(0).origin());
    assertTrue(array.problems().get(0).message().contains("not a JSON object"));
    JsonRecords.Batch open = read("[{\"id\":\"a\",\"text\":\"ok\"}", false);
    assertEquals(1, open.problems().size(), open.toString());
    JsonRecords.Batch trailing = read("[] {}", false);
    assertTrue(trailing.problems().get(0).message().contains("after the array"));
  }

  @Test
  void strictReadingRefusesUnknownFieldsThatIndexIgnores() throws IOException {
    String r = "{\"id\":\"a\",\"text\":\"x\",\"score\":3}";
    assertEquals(1, read(r, false).records().size());
    JsonRecords.Batch strict = read("[" + r + "]", true);
    assertEquals(0, strict.records().size());
    assertTrue(strict.problems().get(0).message().contains("unknown field \"score\""));
    assertTrue(read(r, true).problems().get(0).message().contains("unknown field"));
  }

  @Test
  void filterSyntax() {
    assertNull(FilterSyntax.parse(List.of()));
    assertEquals(Filter.eq("lang", "en"), FilterSyntax.parse(List.of("lang=en")));
    assertEquals(
        new Filter.And(
            List.of(
                new Filter.Range("year", 2020.0, null),
                new Filter.Range("year", null, 2022.0),
                Filter.eq("q", "a=b OR 1=1"))),
        FilterSyntax.parse(List.of("year>=2020", "year<=2022", "q=a=b OR 1=1")));
    IllegalArgumentException noOp =
        assertThrows(IllegalArgumentException.class, () -> FilterSyntax.parse(List.of("lang")));
    assertTrue(noOp.getMessage().startsWith("takes FIELD=VALUE"), noOp.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FilterSyntax.parse(List.of("=en")));
    IllegalArgumentException nan =
        assertThrows(IllegalArgumentException.class, () -> FilterSyntax.parse(List.of("y>=x")));
    assertTrue(nan.getMessage().contains("not a number"), nan.getMessage());
  }
}
