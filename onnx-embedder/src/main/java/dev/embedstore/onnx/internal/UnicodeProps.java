package dev.embedstore.onnx.internal;

/**
 * The character classes of Hugging Face's BERT normaliser and pre-tokeniser, in Java terms. They
 * must match the Rust {@code tokenizers} crate exactly, or token ids differ; {@code
 * WordPieceTokenizerTest} checks them against the real thing (through DJL) on every code point.
 */
final class UnicodeProps {
  private UnicodeProps() {}

  /**
   * Rust's {@code char::is_whitespace}: the Unicode White_Space property. Java's {@link
   * Character#isWhitespace} differs (it leaves out no-break spaces and counts U+001C..U+001F), so
   * the set is spelled out; it has been stable since Unicode 4.
   */
  static boolean isWhitespace(int cp) {
    return switch (cp) {
      case 0x09,
          0x0A,
          0x0B,
          0x0C,
          0x0D,
          0x20,
          0x85,
          0xA0,
          0x1680,
          0x2028,
          0x2029,
          0x202F,
          0x205F,
          0x3000 ->
          true;
      default -> cp >= 0x2000 && cp <= 0x200A;
    };
  }

  /**
   * The normaliser's "control" test: tab, newline and carriage return are whitespace, not control;
   * otherwise a code point in the categories Cc, Cf, Co or Cs is a control, and {@code clean_text}
   * removes it. Unassigned code points (Cn) are kept: measured, they become {@code [UNK]}.
   */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE ->
          !HfUnicodeVersion.unassignedInHf(cp);
      default -> false;
    };
  }

  /**
   * ASCII punctuation (which includes symbols such as {@code $+<=>^`|~}) or a Unicode P* category.
   */
  static boolean isPunctuation(int cp) {
    if (cp < 0x80) {
      return (cp >= 0x21 && cp <= 0x2F)
          || (cp >= 0x3A && cp <= 0x40)
          || (cp >= 0x5B && cp <= 0x60)
          || (cp >= 0x7B && cp <= 0x7E);
    }
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION ->
          !HfUnicodeVersion.unassignedInHf(cp);
      default -> HfUnicodeVersion.punctuationInHf(cp);
    };
  }

  /** A non-spacing mark (Mn), which accent stripping removes after NFD. */
  static boolean isNonSpacingMark(int cp) {
    return Character.getType(cp) == Character.NON_SPACING_MARK
        ? !HfUnicodeVersion.unassignedInHf(cp) && !HfUnicodeVersion.punctuationInHf(cp)
        : HfUnicodeVersion.nonSpacingMarkInHf(cp);
  }

  /**
   * The CJK ideograph blocks that BERT surrounds with spaces, so each becomes its own word. As in
   * Hugging Face's Rust code (measured), the fifth range starts at U+2B920, not at U+2B820 as in
   * the original BERT.
   */
  static boolean isChinese(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
