package dev.embedstore.onnx.internal;

import dev.embedstore.text.TokenCounter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A BERT tokenizer read from a Hugging Face {@code tokenizer.json}, in pure Java, giving the same
 * token ids as the {@code tokenizers} library (checked against it in {@code
 * WordPieceTokenizerTest}):
 *
 * <ol>
 *   <li>added tokens such as {@code [SEP]} that appear literally in the text are matched first
 *       (leftmost, longest) and kept whole;
 *   <li>the rest goes through the BERT normaliser: {@code clean_text} drops NUL, U+FFFD and control
 *       characters and turns whitespace into spaces; CJK ideographs get spaces around them; accents
 *       are stripped (NFD, then non-spacing marks removed); letters are lower-cased, one code point
 *       at a time;
 *   <li>the BERT pre-tokeniser splits on whitespace and makes each punctuation character a word;
 *   <li>WordPiece splits each word greedily into the longest vocabulary pieces, continuation pieces
 *       prefixed {@code ##}; a word longer than {@code max_input_chars_per_word} code points, or
 *       one that cannot be split, becomes {@code [UNK]};
 *   <li>the template adds {@code [CLS]} before and {@code [SEP]} after.
 * </ol>
 *
 * <p>A {@code tokenizer.json} of another kind (BPE, Unigram, WordLevel) or with another normaliser
 * or pre-tokeniser is refused with an {@link IOException} that names what it found.
 *
 * <p><b>NOTE</b>: immutable and thread-safe.
 */
public final class WordPieceTokenizer implements TokenCounter {
  private final String source;
  private final Map<String, Integer> vocab;
  private final Map<String, Integer> continuations;
  private final int unkId;
  private final int maxCharsPerWord;
  private final boolean normalize;
  private final boolean cleanText;
  private final boolean handleChineseChars;
  private final boolean stripAccents;
  private final boolean lowercase;
  private final int[] prefixIds;
  private final int[] suffixIds;
  private final String[] addedTokens;
  private final int[] addedTokenIds;
  private final int padId;

  /**
   * The result of encoding one text.
   *
   * @param ids the token ids, special tokens included, at most the requested maximum
   * @param contentTokens how many tokens the text has without special tokens and before truncation
   * @param truncated whether tokens were cut off to fit the maximum
   */
  public record Encoding(int[] ids, int contentTokens, boolean truncated) {}

  private WordPieceTokenizer(String source, Map<String, Object> json) throws IOException {
    this.source = source;
    Map<String, Object> model = object(json.get("model"), "model");
    String type = modelType(model);
    if (!"WordPiece".equals(type)) {
      throw new IOException(
          source
              + " is a "
              + type
              + " tokenizer; only WordPiece (BERT-style) tokenizers are supported");
    }
    Map<String, Object> vocabJson = object(model.get("vocab"), "model.vocab");
    String prefix = string(model.getOrDefault("continuing_subword_prefix", "##"), "prefix");
    vocab = new HashMap<>(vocabJson.size() * 2);
    continuations = new HashMap<>();
    for (Map.Entry<String, Object> e : vocabJson.entrySet()) {
      int id = intValue(e.getValue(), "model.vocab." + e.getKey());
      vocab.put(e.getKey(), id);
      if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length()) {
        continuations.put(e.getKey().substring(prefix.length()), id);
      }
    }
    String unk = string(model.getOrDefault("unk_token", "[UNK]"), "model.unk_token");
    unkId = idOf(unk, "model.unk_token");
    maxCharsPerWord =
        intValue(model.getOrDefault("max_input_chars_per_word", 100L), "max_input_chars_per_word");
    padId = vocab.getOrDefault("[PAD]", 0);

    Object normalizer = json.get("normalizer");
    if (normalizer == null) {
      normalize = false;
      cleanText = handleChineseChars = stripAccents = lowercase = false;
    } else {
      Map<String, Object> n = object(normalizer, "normalizer");
      String nType = string(n.get("type"), "normalizer.type");
      if (!"BertNormalizer".equals(nType)) {
        throw new IOException(
            source + " uses the normaliser " + nType + "; only BertNormalizer is supported");
      }
      normalize = true;
      cleanText = bool(n.getOrDefault("clean_text", true));
      handleChineseChars = bool(n.getOrDefault("handle_chinese_chars", true));
      lowercase = bool(n.getOrDefault("lowercase", true));
      Object strip = n.get("strip_accents");
      stripAccents = strip == null ? lowercase : bool(strip);
    }

    Object preTokenizer = json.get("pre_tokenizer");
    if (preTokenizer != null) {
      String pType =
          string(object(preTokenizer, "pre_tokenizer").get("type"), "pre_tokenizer.type");
      if (!"BertPreTokenizer".equals(pType)) {
        throw new IOException(
            source + " uses the pre-tokenizer " + pType + "; only BertPreTokenizer is supported");
      }
    }

    int[][] template = template(json.get("post_processor"));
    prefixIds = template[0];
    suffixIds = template[1];

    List<Object> added = json.get("added_tokens") instanceof List<?> l ? List.copyOf(l) : List.of();
    List<Map<String, Object>> literal = new ArrayList<>();
    for (Object o : added) {
      Map<String, Object> t = object(o, "added_tokens[]");
      // Tokens matched after normalisation are not used by BERT tokenizers; only raw matches are.
      if (!bool(t.getOrDefault("normalized", false))) {
        literal.add(t);
      }
    }
    literal.sort(Comparator.comparingInt(t -> -((String) t.get("content")).length()));
    addedTokens = new String[literal.size()];
    addedTokenIds = new int[literal.size()];
    for (int i = 0; i < literal.size(); i++) {
      addedTokens[i] = string(literal.get(i).get("content"), "added_tokens[].content");
      addedTokenIds[i] = intValue(literal.get(i).get("id"), "added_tokens[].id");
    }
  }

  /**
   * Reads a {@code tokenizer.json} file.
   *
   * @param file the file
   * @return the tokenizer
   * @throws IOException if the file cannot be read, is not JSON, or is not a BERT WordPiece
   *     tokenizer; the message names the file
   */
  public static WordPieceTokenizer load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return load(in, file.toString());
    }
  }

  /**
   * Reads a {@code tokenizer.json} from a stream; the caller closes it.
   *
   * @param in the JSON
   * @param source the name of the file, for messages
   * @return the tokenizer
   * @throws IOException if the JSON cannot be read or is not a BERT WordPiece tokenizer
   */
  @SuppressWarnings("unchecked")
  public static WordPieceTokenizer load(InputStream in, String source) throws IOException {
    Object json;
    try {
      json = JsonTree.read(in);
    } catch (IOException e) {
      throw new IOException(source + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
    if (!(json instanceof Map<?, ?>)) {
      throw new IOException(source + " is not a valid tokenizer.json: not a JSON object");
    }
    try {
      return new WordPieceTokenizer(source, (Map<String, Object>) json);
    } catch (ClassCastException | NullPointerException e) {
      throw new IOException(source + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
  }

  /**
   * Encodes a text for the model: special tokens added, cut to at most {@code maxTokens} ids.
   *
   * @param text the text
   * @param maxTokens the most ids, special tokens included; at least the number of special tokens +
   *     1
   * @return the encoding
   */
  public Encoding encode(String text, int maxTokens) {
    int room = maxTokens - prefixIds.length - suffixIds.length;
    if (room < 1) {
      throw new IllegalArgumentException(
          "maxTokens leaves no room for text; maxTokens=" + maxTokens);
    }
    int[] content = tokenIds(text);
    int kept = Math.min(room, content.length);
    int[] ids = new int[prefixIds.length + kept + suffixIds.length];
    System.arraycopy(prefixIds, 0, ids, 0, prefixIds.length);
    System.arraycopy(content, 0, ids, prefixIds.length, kept);
    System.arraycopy(suffixIds, 0, ids, prefixIds.length + kept, suffixIds.length);
    return new Encoding(ids, content.length, kept < content.length);
  }

  @Override
  public int countTokens(String text) {
    return tokenIds(text).length;
  }

  /**
   * The id used to pad sequences to the same length.
   *
   * @return the {@code [PAD]} id (0 when the vocabulary has none)
   */
  public int padId() {
    return padId;
  }

  /**
   * The number of special tokens the template adds around a text.
   *
   * @return 2 for BERT ({@code [CLS]} and {@code [SEP]})
   */
  public int specialTokens() {
    return prefixIds.length + suffixIds.length;
  }

  /**
   * Tokenizes a text without special tokens and without truncation.
   *
   * @param text the text
   * @return the token ids
   */
  public int[] tokenIds(String text) {
    Objects.requireNonNull(text, "text");
    IntList out = new IntList(Math.max(16, text.length() / 3));
    int from = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int match = addedTokens.length == 0 ? -1 : addedTokenAt(text, i);
      if (match >= 0) {
        tokenizeSegment(text.substring(from, i), out);
        out.add(addedTokenIds[match]);
        i += addedTokens[match].length();
        from = i;
      } else {
        i++;
      }
    }
    tokenizeSegment(from == 0 ? text : text.substring(from), out);
    return out.toArray();
  }

  private int addedTokenAt(String text, int i) {
    char c = text.charAt(i);
    for (int t = 0; t < addedTokens.length; t++) {
      String token = addedTokens[t];
      if (token.charAt(0) == c && text.startsWith(token, i)) {
        return t; // sorted longest first, so the first match is the longest
      }
    }
    return -1;
  }

  private void tokenizeSegment(String segment, IntList out) {
    if (segment.isEmpty()) {
      return;
    }
    String normalized = normalize ? normalize(segment) : segment;
    // BERT pre-tokeniser: split on whitespace, isolate punctuation.
    int wordStart = -1;
    int n = normalized.length();
    for (int i = 0; i < n; ) {
      int cp = normalized.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (UnicodeProps.isWhitespace(cp)) {
        if (wordStart >= 0) {
          wordPiece(normalized, wordStart, i, out);
          wordStart = -1;
        }
      } else if (UnicodeProps.isPunctuation(cp)) {
        if (wordStart >= 0) {
          wordPiece(normalized, wordStart, i, out);
          wordStart = -1;
        }
        wordPiece(normalized, i, next, out);
      } else if (wordStart < 0) {
        wordStart = i;
      }
      i = next;
    }
    if (wordStart >= 0) {
      wordPiece(normalized, wordStart, n, out);
    }
  }

  /** The BERT normaliser; see the class comment for the steps. */
  String normalize(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cleanText) {
        if (cp == 0 || cp == 0xFFFD || UnicodeProps.isControl(cp)) {
          continue;
        }
        if (UnicodeProps.isWhitespace(cp)) {
          sb.append(' ');
          continue;
        }
      }
      if (handleChineseChars && UnicodeProps.isChinese(cp)) {
        sb.append(' ').appendCodePoint(cp).append(' ');
      } else {
        sb.appendCodePoint(cp);
      }
    }
    String s = sb.toString();
    if (stripAccents) {
      String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
      sb.setLength(0);
      for (int i = 0; i < nfd.length(); ) {
        int cp = nfd.codePointAt(i);
        i += Character.charCount(cp);
        if (!UnicodeProps.isNonSpacingMark(cp)) {
          sb.appendCodePoint(cp);
        }
      }
      s = sb.toString();
    }
    if (lowercase) {
      sb.setLength(0);
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        i += Character.charCount(cp);
        if (cp == 0x130) {
          // The one unconditional multi-char lower-case mapping (SpecialCasing.txt), as Rust does
          // it.
          sb.append("i\u0307");
        } else {
          sb.appendCodePoint(Character.toLowerCase(cp));
        }
      }
      s = sb.toString();
    }
    return s;
  }

  /** WordPiece on the word text[start, end): greedy longest match, or [UNK] for the whole word. */
  private void wordPiece(String text, int start, int end, IntList out) {
    int chars = text.codePointCount(start, end);
    if (chars > maxCharsPerWord) {
      out.add(unkId);
      return;
    }
    int mark = out.size();
    int from = start;
    while (from < end) {
      int to = end;
      Integer id = null;
      while (to > from) {
        String piece = text.substring(from, to);
        id = from == start ? vocab.get(piece) : continuations.get(piece);
        if (id != null) {
          break;
        }
        boolean pair =
            to - 2 >= from
                && Character.isLowSurrogate(text.charAt(to - 1))
                && Character.isHighSurrogate(text.charAt(to - 2));
        to -= pair ? 2 : 1;
      }
      if (id == null) {
        out.truncate(mark);
        out.add(unkId);
        return;
      }
      out.add(id);
      from = to;
    }
  }

  @Override
  public String toString() {
    return "WordPieceTokenizer[" + source + ", vocab=" + vocab.size() + "]";
  }

  // ---- reading tokenizer.json ----

  private static String modelType(Map<String, Object> model) {
    Object type = model.get("type");
    if (type instanceof String s) {
      return s;
    }
    if (model.containsKey("merges")) {
      return "BPE";
    }
    return model.get("vocab") instanceof List<?> ? "Unigram" : "WordPiece";
  }

  private int[][] template(Object postProcessor) throws IOException {
    if (postProcessor == null) {
      return new int[][] {{}, {}};
    }
    Map<String, Object> p = object(postProcessor, "post_processor");
    String type = string(p.get("type"), "post_processor.type");
    switch (type) {
      case "BertProcessing" -> {
        List<?> cls = (List<?>) p.get("cls");
        List<?> sep = (List<?>) p.get("sep");
        return new int[][] {
          {intValue(cls.get(1), "post_processor.cls")}, {intValue(sep.get(1), "post_processor.sep")}
        };
      }
      case "TemplateProcessing" -> {
        Map<String, Object> specials =
            object(p.get("special_tokens"), "post_processor.special_tokens");
        IntList before = new IntList(2);
        IntList after = new IntList(2);
        boolean seenSequence = false;
        for (Object item : (List<?>) p.get("single")) {
          Map<String, Object> m = object(item, "post_processor.single[]");
          if (m.containsKey("Sequence")) {
            seenSequence = true;
          } else if (m.containsKey("SpecialToken")) {
            String name = string(object(m.get("SpecialToken"), "SpecialToken").get("id"), "id");
            List<?> ids = (List<?>) object(specials.get(name), "special_tokens." + name).get("ids");
            for (Object id : ids) {
              (seenSequence ? after : before).add(intValue(id, "special_tokens." + name));
            }
          }
        }
        return new int[][] {before.toArray(), after.toArray()};
      }
      default ->
          throw new IOException(
              source
                  + " uses the post-processor "
                  + type
                  + "; only TemplateProcessing and BertProcessing are supported");
    }
  }

  private int idOf(String token, String what) throws IOException {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IOException(source + ": " + what + " " + token + " is not in the vocabulary");
    }
    return id;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> object(Object o, String what) throws IOException {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IOException(source + ": " + what + " must be a JSON object");
  }

  private String string(Object o, String what) throws IOException {
    if (o instanceof String s) {
      return s;
    }
    throw new IOException(source + ": " + what + " must be a string");
  }

  private int intValue(Object o, String what) throws IOException {
    if (o instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
      return l.intValue();
    }
    throw new IOException(source + ": " + what + " must be a non-negative integer");
  }

  private static boolean bool(Object o) {
    return Boolean.TRUE.equals(o);
  }

  /** A growable int array, to avoid boxing token ids. */
  private static final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
      a = new int[Math.max(1, capacity)];
    }

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, 2 * n);
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    void truncate(int size) {
      n = size;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
