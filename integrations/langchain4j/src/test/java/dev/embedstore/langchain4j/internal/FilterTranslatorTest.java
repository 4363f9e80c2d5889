package dev.embedstore.langchain4j.internal;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.store.Document;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.testing.Seeded;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Brute force: the store filter a langchain4j filter becomes, evaluated by the store's reference
 * semantics ({@link FilterOracle}) on the stored document, agrees with langchain4j's own evaluation
 * ({@link Langchain4jFilterReference}) on the metadata, for random metadata of every type and
 * random nested filters.
 */
@ExtendWith(Seeded.class)
public class FilterTranslatorTest {
  /** Keys with values of every type, so that one key meets comparisons of every type. */
  static final String[] KEYS = {"k", "n", "k#int"};

  static final UUID U1 = new UUID(0x1234L, 0x5678L);
  static final UUID U2 = new UUID(-0x1234L, 0x5678L);
  static final UUID U3 = new UUID(0x1234L, -0x5678L);

  /** Values whose string or decimal forms sit next to each other, where translations go wrong. */
  static final Object[] VALUES = {
    "a",
    "b",
    "A",
    "aa",
    "",
    " ",
    "ab",
    "contains",
    "|contains|",
    U1.toString(),
    U1,
    U2,
    U3,
    new UUID(0, 0),
    new UUID(-1, -1),
    new UUID(Long.MIN_VALUE, 0),
    0,
    1,
    -1,
    2,
    42,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    0L,
    1L,
    -1L,
    2L,
    42L,
    1L << 40,
    -(1L << 40),
    0.0f,
    -0.0f,
    1.0f,
    1.1f,
    1.2f,
    1.23f,
    -1.23f,
    1.5f,
    Float.MIN_VALUE,
    16777217f,
    1e10f,
    3.4e38f,
    0.0,
    -0.0,
    1.0,
    1.1,
    1.2,
    1.23,
    -1.23,
    1.5,
    1.2300000190734863,
    1e-50,
    Double.MIN_VALUE,
    1e300,
    2.5,
    41.999999999,
    42.0
  };

  @Test
  void agreesWithLangchain4j(Random random) {
    List<Metadata> corpus = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      corpus.add(randomMetadata(random));
    }
    int checked = 0;
    int matched = 0;
    for (int trial = 0; trial < 3000; trial++) {
      Filter f = randomFilter(random, 3);
      dev.embedstore.store.Filter translated = FilterTranslator.translate(f);
      for (Metadata m : corpus) {
        boolean expected = Langchain4jFilterReference.matches(f, m);
        Document stored = new Document("d", "t", null, MetadataCodec.encode(m));
        boolean actual = FilterOracle.matches(translated, stored);
        if (expected != actual) {
          throw new AssertionError(
              "filter "
                  + f
                  + "\n  on "
                  + m.toMap()
                  + "\n  langchain4j: "
                  + expected
                  + "\n  store filter "
                  + translated
                  + ": "
                  + actual);
        }
        checked++;
        matched += expected ? 1 : 0;
      }
    }
    // The corpus and filters are not degenerate: many hold, many do not.
    assertTrue(matched > checked / 20 && matched < checked - checked / 20, matched + "/" + checked);
  }

  @Test
  void floatsAndDoublesCompareByDecimalAsInLangchain4j() {
    Metadata f = new Metadata().put("x", 1.23f);
    Metadata d = new Metadata().put("x", 1.23d);
    for (Metadata m : List.of(f, d)) {
      assertMatches(metadataKey("x").isEqualTo(1.23f), m, true);
      assertMatches(metadataKey("x").isEqualTo(1.23d), m, true);
      assertMatches(metadataKey("x").isGreaterThan(1.23d), m, false);
      assertMatches(metadataKey("x").isGreaterThanOrEqualTo(1.23f), m, true);
      assertMatches(metadataKey("x").isLessThan(1.2300001d), m, true);
    }
    // The double a float widens to is not the float's decimal.
    assertMatches(metadataKey("x").isEqualTo(1.2300000190734863), f, false);
    assertMatches(metadataKey("x").isGreaterThan(1.2300000190734863), f, false);
    // Both zeros are decimal 0.
    assertMatches(metadataKey("x").isEqualTo(0), new Metadata().put("x", -0.0f), true);
    assertMatches(metadataKey("x").isLessThan(0), new Metadata().put("x", -0.0d), false);
    assertMatches(
        metadataKey("x").isGreaterThanOrEqualTo(0.0), new Metadata().put("x", -0.0d), true);
    // Integers compare with decimals exactly.
    assertMatches(metadataKey("x").isGreaterThan(1.5), new Metadata().put("x", 2), true);
    assertMatches(metadataKey("x").isLessThan(1.5), new Metadata().put("x", 2L), false);
    assertMatches(metadataKey("x").isEqualTo(2.0f), new Metadata().put("x", 2L), true);
  }

  @Test
  void mismatchedTypesNeverMatchAndTheirNegationsDo() {
    Metadata m = new Metadata().put("x", "42");
    assertMatches(metadataKey("x").isEqualTo(42), m, false);
    assertMatches(metadataKey("x").isNotEqualTo(42), m, true);
    assertMatches(metadataKey("x").isGreaterThan(1), m, false);
    assertMatches(new Not(metadataKey("x").isGreaterThan(1)), m, true);
    assertMatches(metadataKey("x").isEqualTo(UUID.randomUUID()), new Metadata().put("x", 1), false);
    assertMatches(metadataKey("x").containsString("4"), new Metadata().put("x", 42), false);
  }

  @Test
  void uuidsEqualTheirCanonicalStrings() {
    UUID u = UUID.fromString("0f0e0d0c-0b0a-0908-0706-050403020100");
    assertMatches(metadataKey("x").isEqualTo(u), new Metadata().put("x", u.toString()), true);
    assertMatches(metadataKey("x").isIn(u), new Metadata().put("x", u.toString()), true);
    assertMatches(metadataKey("x").isEqualTo(u.toString()), new Metadata().put("x", u), false);
    // langchain4j's isIn parses strings ("0F0E..." equals u there); the store matches the
    // canonical spelling only, as both do for isEqualTo.
    Metadata upper = new Metadata().put("x", u.toString().toUpperCase(java.util.Locale.ROOT));
    assertFalse(
        FilterOracle.matches(
            FilterTranslator.translate(metadataKey("x").isIn(u)),
            new Document("d", "t", null, MetadataCodec.encode(upper))));
  }

  @Test
  void unknownFiltersAndNonFiniteNumbersAreRefused() {
    Filter custom = object -> true;
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> FilterTranslator.translate(custom));
    assertTrue(e.getMessage().contains("no Embedstore translation"), e.getMessage());
    IllegalArgumentException nan =
        assertThrows(
            IllegalArgumentException.class,
            () -> FilterTranslator.translate(metadataKey("x").isGreaterThan(Double.NaN)));
    assertTrue(nan.getMessage().contains("x"), nan.getMessage());
    assertEquals(null, FilterTranslator.translate(null));
  }

  private static void assertMatches(Filter f, Metadata m, boolean expected) {
    assertEquals(expected, Langchain4jFilterReference.matches(f, m), "langchain4j: " + f);
    assertEquals(
        expected,
        FilterOracle.matches(
            FilterTranslator.translate(f), new Document("d", "t", null, MetadataCodec.encode(m))),
        "store: " + f + " -> " + FilterTranslator.translate(f));
  }

  public static Metadata randomMetadata(Random random) {
    Metadata m = new Metadata();
    for (String key : KEYS) {
      if (random.nextInt(4) != 0) {
        put(m, key, value(random));
      }
    }
    return m;
  }

  static Object value(Random random) {
    return VALUES[random.nextInt(VALUES.length)];
  }

  static Metadata put(Metadata m, String key, Object v) {
    return MetadataCodec.put(m, key, v);
  }

  public static Filter randomFilter(Random random, int depth) {
    String key = KEYS[random.nextInt(KEYS.length)];
    int kind = random.nextInt(depth > 0 ? 13 : 10);
    return switch (kind) {
      case 0 -> new IsEqualTo(key, value(random));
      case 1 -> new IsNotEqualTo(key, value(random));
      case 2 -> new IsGreaterThan(key, comparable(random));
      case 3 -> new IsGreaterThanOrEqualTo(key, comparable(random));
      case 4 -> new IsLessThan(key, comparable(random));
      case 5 -> new IsLessThanOrEqualTo(key, comparable(random));
      case 6 -> new IsIn(key, sameTypeValues(random));
      case 7 -> new IsNotIn(key, sameTypeValues(random));
      case 8 ->
          new ContainsString(key, random.nextBoolean() ? "a" : random.nextBoolean() ? "" : "ont");
      case 9 -> new IsEqualTo(key, value(random));
      case 10 -> new Not(randomFilter(random, depth - 1));
      case 11 -> new And(randomFilter(random, depth - 1), randomFilter(random, depth - 1));
      default -> new Or(randomFilter(random, depth - 1), randomFilter(random, depth - 1));
    };
  }

  private static Comparable<?> comparable(Random random) {
    return (Comparable<?>) value(random);
  }

  /** isIn decides by its first value's type, so a mixed list means nothing in langchain4j. */
  private static List<Object> sameTypeValues(Random random) {
    Object first = value(random);
    List<Object> out = new ArrayList<>();
    out.add(first);
    for (int i = random.nextInt(3); i > 0; i--) {
      Object v = value(random);
      boolean same =
          first instanceof Number ? v instanceof Number : v.getClass() == first.getClass();
      if (same) {
        out.add(v);
      }
    }
    return out;
  }
}
