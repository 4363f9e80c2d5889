package dev.embedstore.server.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.testing.Seeded;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

  /** A stream that hands out at most a few bytes per read: every line crosses reads. */
  static InputStream trickle(byte[] bytes, Random random, int maxChunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + random.nextInt(maxChunk)));
      }
    };
  }

  @Test
  void linesLongerThanTheBufferCrlfAndALastLineWithoutNewline() throws IOException {
    String big = "b".repeat(3 * JsonlReader.BUFFER_BYTES + 17);
    String input =
        "{\"id\": \"1\", \"text\": \"crlf\"}\r\n"
            + "\r\n"
            + "{\"id\": \"2\", \"text\": \""
            + big
            + "\"}\n"
            + "  \t\n"
            + "{\"id\": \"3\", \"text\": \"last\"}\r";
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    try (JsonlReader r = new JsonlReader(new ByteArrayInputStream(bytes), "in")) {
      InputRecord one = ok(r.next());
      assertEquals("crlf", one.text());
      assertEquals(0, r.lineOffset());
      InputRecord two = ok(r.next());
      assertEquals(big, two.text());
      assertEquals("in:3", two.origin());
      assertEquals(input.indexOf("{\"id\": \"2\""), r.lineOffset());
      InputRecord three = ok(r.next());
      assertEquals("last", three.text(), "a trailing \\r is dropped at the end too");
      assertEquals("in:5", three.origin());
      assertEquals(input.indexOf("{\"id\": \"3\""), r.lineOffset());
      assertNull(r.next());
      assertNull(r.next());
      assertEquals(5, r.lines());
      assertEquals(0, r.invalidUtf8Lines());
    }
  }

  @Test
  void invalidUtf8SplitAcrossBuffersIsReplacedOncePerLine() throws IOException {
    // A line whose invalid sequence (a 3-byte sequence cut after 2) and a valid 3-byte character
    // both straddle the end of the first buffer, then a line of a lone continuation byte.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String head = "{\"id\": \"1\", \"text\": \"";
    bytes.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(
        "a".repeat(JsonlReader.BUFFER_BYTES - head.length() - 1).getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {(byte) 0xE2, (byte) 0x82}); // "€" cut short
    bytes.writeBytes("x\u20ACy\"}\n".getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes("{\"id\": \"2\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
    bytes.write(0x80);
    bytes.writeBytes(
        "\"}\n{\"id\": \"3\", \"text\": \"\u20AC \uFFFD is valid\"}"
            .getBytes(StandardCharsets.UTF_8));
    try (JsonlReader r = new JsonlReader(new ByteArrayInputStream(bytes.toByteArray()), "x")) {
      String text = ok(r.next()).text();
      assertTrue(text.endsWith("a\uFFFDx\u20ACy"), text.substring(text.length() - 10));
      assertEquals("\uFFFD", ok(r.next()).text());
      assertEquals("\u20AC \uFFFD is valid", ok(r.next()).text());
      assertNull(r.next());
      assertEquals(2, r.invalidUtf8Lines(), "a U+FFFD that was in the input is no invalid UTF-8");
    }
  }

  @Test
  void aLineReadAgainFromItsOffsetGivesTheSameRecord(Random random) throws IOException {
    byte[] bytes = randomInput(random, 200);
    try (JsonlReader r = new JsonlReader(trickle(bytes, random, 300), "in")) {
      for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
        int start = (int) r.lineOffset();
        int end = start;
        while (end < bytes.length && bytes[end] != '\n') {
          end++;
        }
        String origin = "in:" + r.lines();
        assertEquals(line, JsonlReader.readLine(bytes, start, end - start, origin));
      }
    }
    assertNull(JsonlReader.readLine(" \t\r".getBytes(StandardCharsets.UTF_8), 0, 3, "blank"));
  }

  /**
   * The reader against the one it replaced (a byte at a time into a growing array, each line
   * decoded strictly and again with replacement when invalid): the same records and problems at the
   * same lines and offsets, and the same count of invalid lines, on random input read in random
   * pieces.
   */
  @Test
  void readsExactlyAsTheByteAtATimeReader(Random random) throws IOException {
    for (int round = 0; round < 30; round++) {
      byte[] bytes = randomInput(random, 1 + random.nextInt(120));
      List<String> expected = new ArrayList<>();
      long expectedInvalid = ByteAtATimeReader.read(bytes, "r", expected);
      List<String> actual = new ArrayList<>();
      try (JsonlReader r = new JsonlReader(trickle(bytes, random, 1 + random.nextInt(4096)), "r")) {
        for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
          actual.add(r.lineOffset() + " " + line);
        }
        assertEquals(expected, actual, "round " + round);
        assertEquals(expectedInvalid, r.invalidUtf8Lines(), "round " + round);
      }
    }
  }

  /** Records, junk, blank and whitespace lines, CR, invalid UTF-8, a long line now and then. */
  private static byte[] randomInput(Random random, int lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] spaces = {"", " ", "\t", "\u000B", "\u2003", "\u00A0", "\u3000 "};
    for (int l = 0; l < lines; l++) {
      switch (random.nextInt(8)) {
        case 0 -> {
          byte[] junk = new byte[random.nextInt(200)];
          random.nextBytes(junk);
          for (int i = 0; i < junk.length; i++) {
            if (junk[i] == '\n') {
              junk[i] = ' ';
            }
          }
          out.writeBytes(junk);
        }
        case 1 ->
            out.writeBytes(spaces[random.nextInt(spaces.length)].getBytes(StandardCharsets.UTF_8));
        case 2 -> {
          String prefix = "{\"id\": \"" + l + "\", \"text\": \"";
          out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
          byte[] body = new byte[random.nextInt(100)];
          random.nextBytes(body);
          for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n' || body[i] == '"' || body[i] == '\\') {
              body[i] = 'q';
            }
          }
          out.writeBytes(body);
          out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        }
        case 3 -> {
          int n = random.nextInt(10) == 0 ? 70_000 + random.nextInt(70_000) : random.nextInt(60);
          out.writeBytes(
              ("{\"_id\": "
                      + l
                      + ", \"title\": \"t\u00E9\", \"text\": \""
                      + "\u20AC".repeat(n)
                      + "\",")
                  .getBytes(StandardCharsets.UTF_8));
          out.writeBytes(
              " \"metadata\": {\"y\": 2021, \"s\": 0.5, \"b\": true, \"tags\": [\"a\"]}}"
                  .getBytes(StandardCharsets.UTF_8));
        }
        case 4 -> out.writeBytes("{\"id\": \"x\", \"text\": ".getBytes(StandardCharsets.UTF_8));
        case 5 -> out.writeBytes("[1, 2] {}".getBytes(StandardCharsets.UTF_8));
        default ->
            out.writeBytes(
                ("{\"id\": \"d" + random.nextInt(5) + "\", \"text\": \"plain\"}")
                    .getBytes(StandardCharsets.UTF_8));
      }
      if (random.nextInt(4) == 0) {
        out.write('\r');
      }
      if (l < lines - 1 || random.nextBoolean()) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  /** The reading loop JsonlReader had until it scanned buffers for newlines: the oracle. */
  private static final class ByteAtATimeReader {
    static long read(byte[] input, String name, List<String> out) throws IOException {
      java.io.BufferedInputStream in =
          new java.io.BufferedInputStream(new ByteArrayInputStream(input), 1 << 16);
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      long lineNumber = 0;
      long offset = 0;
      long invalid = 0;
      boolean eof = false;
      while (!eof) {
        line.reset();
        long start = offset;
        boolean newline = false;
        for (int b; (b = in.read()) != -1; ) {
          offset++;
          if (b == '\n') {
            newline = true;
            break;
          }
          line.write(b);
        }
        if (!newline) {
          eof = true;
          if (line.size() == 0) {
            break;
          }
        }
        lineNumber++;
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
          n--;
        }
        String text;
        try {
          text =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                  .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                  .decode(java.nio.ByteBuffer.wrap(bytes, 0, n))
                  .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
          invalid++;
          text = new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
        if (text.isBlank()) {
          continue;
        }
        out.add(start + " " + parse(text, name + ":" + lineNumber));
      }
      return invalid;
    }

    private static JsonlReader.Line parse(String json, String origin) {
      try (com.fasterxml.jackson.core.JsonParser p = JsonlReader.JSON.createParser(json)) {
        if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
          return JsonlReader.bad(
              origin,
              "not a JSON object; each line must be one {\"id\": ..., \"text\": ...} record");
        }
        return JsonlReader.parseObject(p, origin, false, false, true);
      } catch (com.fasterxml.jackson.core.JsonParseException e) {
        return JsonlReader.bad(origin, "invalid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        return JsonlReader.bad(origin, "invalid JSON: " + e.getMessage());
      }
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
