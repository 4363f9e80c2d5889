package dev.embedstore.cli.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class LastOccurrencesTest {
  /**
   * Puts random ids (many repeats) and compares every answer with a map of the ids themselves: the
   * previous position and line of each repeat, the last position of each id, the count.
   */
  private static void matchesAMapOfIds(
      Random random, ToLongFunction<String> hasher, int records, int distinct) throws IOException {
    LastOccurrences table = new LastOccurrences(hasher);
    Map<String, long[]> oracle = new HashMap<>();
    List<String> idAt = new ArrayList<>(); // by position: the reader the command gives
    int[] reads = new int[1];
    for (int position = 0; position < records; position++) {
      String id = "id-" + random.nextInt(distinct);
      if (random.nextInt(50) == 0) {
        id = id + "\u00e9\ud83d\ude00".repeat(random.nextInt(3)); // non-ASCII ids too
      }
      idAt.add(id);
      long line = 1000L + position;
      LastOccurrences.Previous before =
          table.put(
              id,
              position,
              line,
              p -> {
                reads[0]++;
                return idAt.get((int) p);
              });
      long[] expected = oracle.put(id, new long[] {position, line});
      if (expected == null) {
        assertNull(before, id);
      } else {
        assertEquals(new LastOccurrences.Previous(expected[0], expected[1]), before, id);
      }
    }
    assertEquals(oracle.size(), table.size());
    for (int position = 0; position < records; position++) {
      String id = idAt.get(position);
      assertEquals(oracle.get(id)[0] == position, table.isLast(id, position), id + "@" + position);
    }
    assertFalse(table.isLast("never-put", records), "a position never put");
    assertTrue(reads[0] >= records - oracle.size(), "each repeat was read back to be sure");
  }

  @Test
  void exactWithTheRealHash(Random random) throws IOException {
    matchesAMapOfIds(random, LastOccurrences::hash, 100_000, 60_000);
  }

  @Test
  void exactWhenEveryHashCollides(Random random) throws IOException {
    // Ids that share a hash are told apart by reading the earlier record's id back.
    matchesAMapOfIds(random, id -> id.length() % 3, 3_000, 500);
    matchesAMapOfIds(random, id -> 42, 2_000, 300);
  }

  @Test
  void aRepeatIsTheOnlyReadWithTheRealHash() throws IOException {
    LastOccurrences table = new LastOccurrences();
    int[] reads = new int[1];
    LastOccurrences.IdReader reader =
        p -> {
          reads[0]++;
          return "r" + (p % 50_000);
        };
    for (int i = 0; i < 100_000; i++) {
      table.put("r" + (i % 50_000), i, i + 1, reader);
    }
    assertEquals(50_000, table.size());
    assertEquals(50_000, reads[0]);
  }
}
