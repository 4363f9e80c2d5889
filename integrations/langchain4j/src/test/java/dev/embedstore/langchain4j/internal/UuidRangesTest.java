package dev.embedstore.langchain4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.testing.Seeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** UUID ranges over canonical strings hold exactly the UUIDs that {@link UUID#compareTo} keeps. */
@ExtendWith(Seeded.class)
class UuidRangesTest {
  private static final long[] EDGES = {
    0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1
  };

  @Test
  void rangesMatchCompareTo(Random random) {
    List<UUID> uuids = new ArrayList<>();
    for (long hi : EDGES) {
      for (long lo : EDGES) {
        uuids.add(new UUID(hi, lo));
      }
    }
    for (int i = 0; i < 200; i++) {
      uuids.add(new UUID(random.nextLong(), random.nextLong()));
    }
    for (int i = 0; i < 50; i++) {
      UUID u = uuids.get(random.nextInt(uuids.size()));
      uuids.add(new UUID(u.getMostSignificantBits(), random.nextLong()));
    }
    for (int t = 0; t < 400; t++) {
      UUID v = uuids.get(random.nextInt(uuids.size()));
      boolean greater = random.nextBoolean();
      boolean inclusive = random.nextBoolean();
      Filter f = UuidRanges.compare("u", v, greater, inclusive);
      for (UUID u : uuids) {
        int c = u.compareTo(v);
        boolean expected = greater ? (inclusive ? c >= 0 : c > 0) : (inclusive ? c <= 0 : c < 0);
        Document d = new Document("d", "", null, Map.of("u", u.toString()));
        assertEquals(expected, FilterOracle.matches(f, d), u + " vs " + v + ": " + f);
      }
    }
  }
}
