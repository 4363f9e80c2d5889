package dev.embedstore.server.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.testing.Seeded;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class JsonlReaderTest {

  static List<JsonlReader.Line> readAll(byte[] bytes) throws IOException {
    List<JsonlReader.Line> out = new ArrayList<>();
    try (JsonlReader r = new JsonlReader(new ByteArrayInputStream(bytes), "in.jsonl")) {
      for (JsonlReader.Line l; (l = r.next()) != null; ) {
        out.add(l);
      }
    }
    return out;
  }

  static List<JsonlReader.Line> readAll(String s) throws IOException {
    return readAll(s.getBytes(StandardCharsets.UTF_8));
  }

  static InputRecord ok(JsonlReader.Line line) {
    return assertInstanceOf(JsonlReader.Line.Ok.class, line).record();
  }

  static InputProblem bad(JsonlReader.Line line) {
    return assertInstanceOf(JsonlReader.Line.Bad.class, line).problem();
  }

  @Test
  void readsBeirAndContractRecords() throws IOException {
    List<JsonlReader.Line> lines =
        readAll(
            "{\"_id\": \"4983\", \"title\": \"T\", \"text\": \"body\", \"metadata\": {}}\n"
                + "\n"
                + "{\"id\": \"a\", \"text\": \"\", \"metadata\": {\"lang\": \"en\", \"year\": 2021,"
                + " \"score\": 0.5, \"draft\": false, \"tags\": [\"x\", \"y\"], \"none\": null},"
                + " \"extra\": {\"ignored\": [1, 2]}}\r\n"
                + "{\"id\": 17, \"text\": \"numeric id\"}");
    assertEquals(3, lines.size());
    InputRecord beir = ok(lines.get(0));
    assertEquals("4983", beir.id());
    assertEquals("T", beir.title());
    assertEquals("body", beir.text());
    assertEquals("in.jsonl:1", beir.origin());
    InputRecord a = ok(lines.get(1));
    assertEquals("", a.text());
    assertNull(a.title());
    assertEquals(
        Map.of(
            "lang", "en", "year", 2021L, "score", 0.5, "draft", false, "tags", List.of("x", "y")),
        a.metadata());
    assertEquals("in.jsonl:3", a.origin());
    assertEquals("17", ok(lines.get(2)).id());
  }

  @Test
  void badLinesNameTheLineAndTheProblemAndReadingGoesOn() throws IOException {
    List<JsonlReader.Line> lines =
        readAll(
            String.join(
                "\n",
                "{\"id\": \"1\", \"text\": \"fine\"}",
                "{\"id\": \"2\", \"text\": ",
                "{\"text\": \"no id\"}",
                "{\"id\": \"4\", \"text\": 42}",
                "{\"id\": \"5\"}",
                "[1, 2]",
                "{\"id\": \"7\", \"text\": \"x\", \"metadata\": {\"k\": {\"nested\": 1}}}",
                "{\"id\": \"8\", \"text\": \"x\", \"metadata\": {\"k\": [1]}}",
                "{\"id\": true, \"text\": \"x\"}",
                "{\"id\": \"10\", \"text\": \"x\"} {\"id\": \"11\"}",
                "{\"id\": \"12\", \"text\": \"still read\"}"));
    assertEquals(11, lines.size());
    assertEquals("fine", ok(lines.get(0)).text());
    assertTrue(bad(lines.get(1)).message().startsWith("invalid JSON"), bad(lines.get(1)).message());
    assertEquals("in.jsonl:2", bad(lines.get(1)).origin());
    assertEquals("missing \"id\" (or \"_id\")", bad(lines.get(2)).message());
    assertEquals("\"text\" must be a string; found a number", bad(lines.get(3)).message());
    assertEquals("missing \"text\" for id \"5\"", bad(lines.get(4)).message());
    assertTrue(bad(lines.get(5)).message().startsWith("not a JSON object"));
    assertTrue(bad(lines.get(6)).message().contains("metadata \"k\""), bad(lines.get(6)).message());
    assertTrue(bad(lines.get(7)).message().contains("array of strings"));
    assertEquals("\"id\" must be a string; found a boolean", bad(lines.get(8)).message());
    assertEquals("more than one JSON value on the line", bad(lines.get(9)).message());
    assertEquals("still read", ok(lines.get(10)).text());
    assertEquals("in.jsonl:11", ok(lines.get(10)).origin());
  }

  @Test
  void invalidUtf8IsReplacedAndCounted() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("{\"id\": \"1\", \"text\": \"caf".getBytes(StandardCharsets.UTF_8));
    bytes.write(0xE9); // Latin-1 é: invalid as UTF-8
    bytes.writeBytes("\"}\n{\"id\": \"2\", \"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8));
    try (JsonlReader r = new JsonlReader(new ByteArrayInputStream(bytes.toByteArray()), "x")) {
      assertEquals("caf\uFFFD", ok(r.next()).text());
      assertEquals("ok", ok(r.next()).text());
      assertNull(r.next());
      assertEquals(1, r.invalidUtf8Lines());
    }
  }

  @Test
  void hostileTextsRoundTripExactly(Random random) throws IOException {
    // Quotes, backslashes, newlines, NUL, lone surrogates (as JSON escapes), emoji, a 1 MB line.
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(40);
      for (int j = 0; j < len; j++) {
        sb.append((char) random.nextInt(0x10000));
      }
      texts.add(sb.toString());
    }
    texts.add("x".repeat(1 << 20));
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      jsonl.append("{\"id\": \"").append(i).append("\", \"text\": \"").append(escape(texts.get(i)));
      jsonl.append("\"}\n");
    }
    List<JsonlReader.Line> lines = readAll(jsonl.toString());
    assertEquals(texts.size(), lines.size());
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(texts.get(i), ok(lines.get(i)).text(), "record " + i);
    }
  }

  @Test
  void randomBytesNeverCrashTheReaderAndReadTheSameTwice(Random random) throws IOException {
    // Raw random bytes (invalid UTF-8, NUL, braces, quotes) mixed with near-valid records.
    for (int round = 0; round < 20; round++) {
      java.io.ByteArrayOutputStream input = new java.io.ByteArrayOutputStream();
      int lines = 1 + random.nextInt(50);
      for (int l = 0; l < lines; l++) {
        if (random.nextBoolean()) {
          byte[] junk = new byte[random.nextInt(300)];
          random.nextBytes(junk);
          input.writeBytes(junk);
        } else {
          String prefix = "{\"id\": \"" + l + "\", \"text\": \"";
          input.writeBytes(prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          byte[] body = new byte[random.nextInt(100)];
          random.nextBytes(body);
          input.writeBytes(body);
          input.writeBytes("\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        input.write('\n');
      }
      byte[] bytes = input.toByteArray();
      List<String> first = describeAll(bytes);
      assertEquals(first, describeAll(bytes), "reading is deterministic");
    }
  }

  private static List<String> describeAll(byte[] bytes) throws IOException {
    List<String> out = new ArrayList<>();
    try (JsonlReader r = new JsonlReader(new java.io.ByteArrayInputStream(bytes), "fuzz")) {
      for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
        out.add(
            switch (line) {
              case JsonlReader.Line.Ok ok -> "ok " + ok.record().id() + " " + ok.record().text();
              case JsonlReader.Line.Bad bad -> "bad " + bad.problem();
            });
      }
    }
    return out;
  }

  /** JSON string escaping with every non-ASCII char as a \\u escape, so lone surrogates survive. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
