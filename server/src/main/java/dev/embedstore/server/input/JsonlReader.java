package dev.embedstore.server.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>The input is read {@value #BUFFER_BYTES} bytes at a time and scanned for newlines in the
 * buffer; each line is decoded once. <b>NOTE</b>: a line is held whole, so the buffer grows to the
 * longest line; {@link #lineOffset} tells where a line was, for reading it again.
 *
 * <p>Not thread-safe.
 */
public final class JsonlReader implements Closeable {
  static final JsonFactory JSON =
      JsonFactory.builder()
          // A 1 MB text is a legitimate document; the default limit is far above that, but say so.
          .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(256 << 20).build())
          .build();

  /** How much is read from the input at a time; a longer line grows the buffer. */
  static final int BUFFER_BYTES = 1 << 16;

  private final InputStream in;
  private final String name;
  private final boolean ignoreMetadata;
  private final boolean rejectUnknownFields;
  private final CharsetDecoder strict = strictDecoder();

  /** Bytes read and not yet consumed are {@code buffer[pos, limit)}. */
  private byte[] buffer;

  private int pos;
  private int limit;

  /** Where the line that {@link #nextLine} found ends: the index of its newline, or limit. */
  private int lineEnd;

  /** The input's offset of {@code buffer[0]}. */
  private long bufferOffset;

  private long lineOffset = -1;
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
    this.in = in;
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
    while (nextLine()) {
      lineNumber++;
      int start = pos;
      int end = lineEnd;
      pos = lineEnd < limit ? lineEnd + 1 : limit;
      Line line = read(buffer, start, end - start, name + ":" + lineNumber, true);
      if (line != null) {
        lineOffset = bufferOffset + start;
        return line;
      }
    }
    return null;
  }

  /**
   * The number of lines read so far, blank ones included: after {@link #next} returned a line, that
   * line's number (counted from 1).
   *
   * @return the count
   */
  public long lines() {
    return lineNumber;
  }

  /**
   * Where the line {@link #next} returned last starts: its first byte's offset in the input, for a
   * caller that reads that line again later ({@link #readLine}).
   *
   * @return the offset, or -1 before the first line
   */
  public long lineOffset() {
    return lineOffset;
  }

  /**
   * The number of lines that held invalid UTF-8 (replaced with U+FFFD).
   *
   * @return the count
   */
  public long invalidUtf8Lines() {
    return invalidUtf8Lines;
  }

  /**
   * Reads one line held in memory as {@link #next} reads a line of the input with the default
   * options ({@link #JsonlReader(InputStream, String)}): a trailing {@code \r} is dropped, invalid
   * UTF-8 replaced with U+FFFD, a blank line is nothing. For a caller that noted where a line was
   * ({@link #lineOffset}) and reads it again.
   *
   * @param bytes holds the line
   * @param offset where the line starts
   * @param length its length, without the {@code \n}
   * @param origin the line's name in messages ({@code name:line})
   * @return the record or the problem, or null for a blank line
   */
  public static Line readLine(byte[] bytes, int offset, int length, String origin) {
    return new JsonlReader(InputStream.nullInputStream(), origin)
        .read(bytes, offset, length, origin, false);
  }

  /**
   * Finds the next line in the buffer, reading more of the input as needed; the line is {@code
   * buffer[pos, lineEnd)}. Scans for the newline in bulk, never byte by byte through a stream.
   *
   * @return false at the end of the input
   */
  private boolean nextLine() throws IOException {
    if (buffer == null) {
      buffer = new byte[BUFFER_BYTES];
    }
    int from = pos;
    while (true) {
      int nl = indexOfNewline(buffer, from, limit);
      if (nl >= 0) {
        lineEnd = nl;
        return true;
      }
      if (eof) {
        lineEnd = limit;
        return pos < limit; // the last line, without a newline
      }
      from = limit;
      if (pos > 0) {
        // Keep the start of the line, drop what was consumed.
        System.arraycopy(buffer, pos, buffer, 0, limit - pos);
        bufferOffset += pos;
        from -= pos;
        limit -= pos;
        pos = 0;
      }
      if (limit == buffer.length) {
        if (buffer.length > Integer.MAX_VALUE / 2) {
          throw new IOException(
              name + ":" + (lineNumber + 1) + ": a line longer than " + buffer.length + " bytes");
        }
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) {
        eof = true;
      } else {
        limit += n;
      }
    }
  }

  private static int indexOfNewline(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Decodes and parses one line, {@code bytes[start, start + length)} without its newline; null
   * when it is blank.
   */
  private Line read(byte[] bytes, int start, int length, String origin, boolean count) {
    int n = length;
    if (n > 0 && bytes[start + n - 1] == '\r') {
      n--;
    }
    // Decoded once: new String replaces every malformed sequence with U+FFFD, as the strict
    // decoder that tells whether there was one would not; that is asked only when a U+FFFD shows.
    String text = new String(bytes, start, n, StandardCharsets.UTF_8);
    if (count && text.indexOf('\uFFFD') >= 0 && !isValidUtf8(bytes, start, n)) {
      invalidUtf8Lines++;
    }
    if (text.isBlank()) {
      return null;
    }
    return parse(text, origin);
  }

  private boolean isValidUtf8(byte[] bytes, int start, int length) {
    try {
      strict.decode(ByteBuffer.wrap(bytes, start, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    } finally {
      strict.reset();
    }
  }

  private static CharsetDecoder strictDecoder() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
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
