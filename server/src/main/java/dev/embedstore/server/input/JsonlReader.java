package dev.embedstore.server.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON lines, one document per line:
 *
 * <pre>
 *   {"id" or "_id": string, "text": string, "title": string?, "metadata": {key: string|number|bool|[string]}?}
 * </pre>
 *
 * <p>Blank lines are skipped. A line that is not such a record is reported as an {@link
 * InputProblem} naming the file and line, and reading goes on, so the caller decides whether one
 * bad line stops the whole input. Invalid UTF-8 is replaced with U+FFFD and counted. An integer id
 * is accepted and read as its decimal string; unknown fields are ignored unless the reader is made
 * strict (the server's, where a misspelt field is more likely a mistake than extra data). {@link
 * JsonRecords} reads a JSON array of the same records.
 *
 * <p>Not thread-safe.
 */
public final class JsonlReader implements Closeable {
  static final JsonFactory JSON =
      JsonFactory.builder()
          // A 1 MB text is a legitimate document; the default limit is far above that, but say so.
          .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(256 << 20).build())
          .build();

  private final InputStream in;
  private final String name;
  private final boolean ignoreMetadata;
  private final boolean rejectUnknownFields;
  private final CharsetDecoder strict =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private long lineNumber;
  private long invalidUtf8Lines;
  private boolean eof;

  /** What one line turned out to be: a record, a problem, or (at the end) nothing. */
  public sealed interface Line permits Line.Ok, Line.Bad {
    /** A well-formed record. */
    record Ok(InputRecord record) implements Line {}

    /** A line that is not a valid record. */
    record Bad(InputProblem problem) implements Line {}
  }

  /**
   * Reads records from a stream; the reader closes it.
   *
   * @param in the bytes
   * @param name the file's name for messages ({@code -} for stdin)
   */
  public JsonlReader(InputStream in, String name) {
    this(in, name, false);
  }

  /**
   * Reads records from a stream, optionally skipping their metadata unread (queries files, whose
   * metadata may be any JSON).
   *
   * @param in the bytes
   * @param name the file's name for messages
   * @param ignoreMetadata whether to skip {@code metadata} without checking it
   */
  public JsonlReader(InputStream in, String name, boolean ignoreMetadata) {
    this(in, name, ignoreMetadata, false);
  }

  /**
   * Reads records from a stream, optionally skipping metadata and refusing unknown fields.
   *
   * @param in the bytes
   * @param name the input's name for messages
   * @param ignoreMetadata whether to skip {@code metadata} without checking it
   * @param rejectUnknownFields whether a field other than id, _id, text, title and metadata makes
   *     the record bad
   */
  public JsonlReader(
      InputStream in, String name, boolean ignoreMetadata, boolean rejectUnknownFields) {
    this.in = new BufferedInputStream(in, 1 << 16);
    this.name = name;
    this.ignoreMetadata = ignoreMetadata;
    this.rejectUnknownFields = rejectUnknownFields;
  }

  /**
   * Reads the next non-blank line.
   *
   * @return the record or the problem, or null at the end of the input
   * @throws IOException if reading fails
   */
  public Line next() throws IOException {
    while (!eof) {
      if (!readLine()) {
        eof = true;
        if (line.size() == 0) {
          return null;
        }
      }
      lineNumber++;
      String text = decode(line.toByteArray());
      if (text.isBlank()) {
        continue;
      }
      return parse(text, name + ":" + lineNumber);
    }
    return null;
  }

  /**
   * The number of lines read so far, blank ones included.
   *
   * @return the count
   */
  public long lines() {
    return lineNumber;
  }

  /**
   * The number of lines that held invalid UTF-8 (replaced with U+FFFD).
   *
   * @return the count
   */
  public long invalidUtf8Lines() {
    return invalidUtf8Lines;
  }

  private boolean readLine() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return true;
      }
      line.write(b);
    }
    return false;
  }

  private String decode(byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\r') {
      n--;
    }
    try {
      return strict.decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      invalidUtf8Lines++;
      // new String(..., UTF_8) replaces every malformed sequence with U+FFFD.
      return new String(bytes, 0, n, StandardCharsets.UTF_8);
    } finally {
      strict.reset();
    }
  }

  private Line parse(String json, String origin) {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return bad(
            origin, "not a JSON object; each line must be one {\"id\": ..., \"text\": ...} record");
      }
      return parseObject(p, origin, ignoreMetadata, rejectUnknownFields, true);
    } catch (JsonParseException e) {
      return bad(origin, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      // Parsing a String does no IO; anything here is a malformed document.
      return bad(origin, "invalid JSON: " + e.getMessage());
    }
  }

  /**
   * Reads one record from a parser standing on its {@code START_OBJECT}; on success the parser is
   * left on the record's {@code END_OBJECT}, or at the end of the input when {@code wholeInput}
   * (then anything after the object makes the record bad).
   */
  static Line parseObject(
      JsonParser p,
      String origin,
      boolean ignoreMetadata,
      boolean rejectUnknownFields,
      boolean wholeInput)
      throws IOException {
    String id = null;
    String title = null;
    String text = null;
    boolean sawText = false;
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id", "_id" -> {
          if (value == JsonToken.VALUE_STRING) {
            id = p.getText();
          } else if (value == JsonToken.VALUE_NUMBER_INT) {
            id = p.getText();
          } else {
            return bad(origin, "\"" + field + "\" must be a string; found " + describe(value));
          }
        }
        case "text" -> {
          sawText = true;
          if (value != JsonToken.VALUE_STRING) {
            return bad(origin, "\"text\" must be a string; found " + describe(value));
          }
          text = p.getText();
        }
        case "title" -> {
          if (value == JsonToken.VALUE_STRING) {
            title = p.getText();
          } else if (value != JsonToken.VALUE_NULL) {
            return bad(origin, "\"title\" must be a string; found " + describe(value));
          }
        }
        case "metadata" -> {
          if (value == JsonToken.VALUE_NULL) {
            break;
          }
          if (ignoreMetadata) {
            p.skipChildren();
            break;
          }
          if (value != JsonToken.START_OBJECT) {
            return bad(origin, "\"metadata\" must be an object; found " + describe(value));
          }
          String problem = readMetadata(p, metadata);
          if (problem != null) {
            return bad(origin, problem);
          }
        }
        default -> {
          if (rejectUnknownFields) {
            return bad(
                origin,
                "unknown field "
                    + quote(field)
                    + "; a record has id (or _id), text, title and metadata");
          }
          p.skipChildren();
        }
      }
    }
    if (wholeInput && p.nextToken() != null) {
      return bad(origin, "more than one JSON value on the line");
    }
    if (id == null) {
      return bad(origin, "missing \"id\" (or \"_id\")");
    }
    if (id.isEmpty()) {
      return bad(origin, "\"id\" must not be empty");
    }
    if (!sawText) {
      return bad(origin, "missing \"text\" for id " + quote(id));
    }
    return new Line.Ok(new InputRecord(id, title, text, metadata, origin));
  }

  /** Reads metadata values into {@code out}; returns a problem, or null when all is well. */
  private static String readMetadata(JsonParser p, Map<String, Object> out) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      switch (value) {
        case VALUE_STRING -> out.put(key, p.getText());
        case VALUE_NUMBER_INT -> {
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return "metadata \"" + key + "\" is an integer too large for 64 bits";
          }
          out.put(key, p.getLongValue());
        }
        case VALUE_NUMBER_FLOAT -> out.put(key, p.getDoubleValue());
        case VALUE_TRUE, VALUE_FALSE -> out.put(key, p.getBooleanValue());
        case VALUE_NULL -> {}
        case START_ARRAY -> {
          List<String> list = new ArrayList<>();
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.VALUE_STRING) {
              return "metadata \"" + key + "\" must be an array of strings; found " + describe(e);
            }
            list.add(p.getText());
          }
          out.put(key, List.copyOf(list));
        }
        default -> {
          return "metadata \""
              + key
              + "\" must be a string, number, boolean or array of strings; found "
              + describe(value);
        }
      }
    }
    return null;
  }

  static String describe(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> String.valueOf(t);
    };
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
  }

  static Line bad(String origin, String message) {
    return new Line.Bad(new InputProblem(origin, message));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
