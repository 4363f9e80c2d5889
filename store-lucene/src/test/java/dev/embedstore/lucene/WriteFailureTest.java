package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.embedstore.store.Document;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.lucene.store.NIOFSDirectory;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * IO failures injected with Lucene's {@link MockDirectoryWrapper} during writes, flushes, merges
 * and commits, and a full disk: the failure reaches the caller as an IOException naming the store,
 * and the store reopens at a commit where every document has its cache entry (checked by {@link
 * StoreCheck}) and every upsert that returned is present.
 */
@ExtendWith(Seeded.class)
class WriteFailureTest {
  private static final int PER_CALL = 40;
  private static final int CALLS = 12;

  @TempDir Path tmp;

  private static List<Document> call(int n) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < PER_CALL; i++) {
      String id = "c" + n + "-" + i;
      docs.add(
          new Document(
              id, "text of " + id + " " + "word ".repeat(i % 17), null, Map.of("call", (long) n)));
    }
    return docs;
  }

  private MockDirectoryWrapper mock(Random random, Path folder) throws IOException {
    MockDirectoryWrapper dir = new MockDirectoryWrapper(random, new NIOFSDirectory(folder));
    dir.setCheckIndexOnClose(false);
    dir.setAssertNoUnrefencedFilesOnClose(false);
    dir.setThrottling(MockDirectoryWrapper.Throttling.NEVER);
    dir.setUseSlowOpenClosers(false);
    return dir;
  }

  /**
   * Upserts calls until one fails, with the directory prepared by {@code arm} after the store is
   * open; returns how many calls returned normally.
   */
  private int ingestUntilFailure(
      Random random,
      Path folder,
      FakeEmbedder fake,
      java.util.function.Consumer<MockDirectoryWrapper> arm)
      throws IOException {
    MockDirectoryWrapper dir = mock(random, folder);
    int succeeded = 0;
    LuceneVectorStore store =
        LuceneVectorStore.open(dir, fake, StoreConfig.DEFAULT.withCommitInterval(25));
    try {
      arm.accept(dir);
      for (int n = 0; n < CALLS; n++) {
        store.upsert(call(n));
        succeeded++;
      }
    } catch (IOException e) {
      assertTrue(e.getMessage().startsWith("store "), e.getMessage());
      assertTrue(e.getMessage().contains(folder.toString()), e.getMessage());
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().contains("reopen"), e.getMessage());
    } finally {
      dir.setRandomIOExceptionRate(0);
      dir.setRandomIOExceptionRateOnOpen(0);
      dir.setMaxSizeInBytes(0);
      dir.failOn(new MockDirectoryWrapper.Failure());
      try {
        store.close();
      } catch (IOException | IllegalStateException e) {
        // A store that lost its writer may fail to close; what matters is how it reopens.
      }
      dir.close();
    }
    return succeeded;
  }

  /** Reopens the folder without fault injection and checks what is there. */
  private void assertReopensSound(Path folder, FakeEmbedder fake, int succeeded)
      throws IOException {
    StoreCheck.Report report = StoreCheck.check(folder, false);
    assertTrue(report.sound(), report.problems().toString());
    try (LuceneVectorStore store = LuceneVectorStore.open(folder, fake)) {
      for (int n = 0; n < succeeded; n++) {
        for (Document d : call(n)) {
          Optional<Document> got = store.get(d.id());
          assertTrue(got.isPresent(), d.id() + " was upserted by a call that returned");
          assertEquals(d.text(), got.get().text());
        }
      }
      long count = store.count();
      assertTrue(count >= (long) succeeded * PER_CALL, "count " + count);
      // Re-running the whole ingestion embeds exactly what the store does not hold.
      fake.resetCounts();
      long cached = store.cacheStats().entries();
      for (int n = 0; n < CALLS; n++) {
        store.upsert(call(n));
      }
      assertEquals((long) CALLS * PER_CALL - cached, fake.textsEmbedded());
      assertEquals((long) CALLS * PER_CALL, store.count());
    }
  }

  @Test
  void randomIoExceptionsLeaveACommittedStore(Random random) throws IOException {
    int failures = 0;
    for (int trial = 0; trial < 12; trial++) {
      Path folder = tmp.resolve("t" + trial);
      FakeEmbedder fake = new FakeEmbedder("fake", 16);
      double rate = 0.002 + random.nextDouble() * 0.03;
      int ok = ingestUntilFailure(random, folder, fake, d -> d.setRandomIOExceptionRate(rate));
      if (ok < CALLS) {
        failures++;
      }
      assertReopensSound(folder, fake, ok);
    }
    assertTrue(failures > 0, "no trial hit an injected failure; raise the rate");
  }

  @Test
  void aFullDiskLeavesACommittedStore(Random random) throws IOException {
    for (int trial = 0; trial < 6; trial++) {
      Path folder = tmp.resolve("t" + trial);
      FakeEmbedder fake = new FakeEmbedder("fake", 16);
      long budget = 20_000 + random.nextInt(120_000);
      int ok =
          ingestUntilFailure(
              random,
              folder,
              fake,
              d -> {
                try {
                  d.setMaxSizeInBytes(d.sizeInBytes() + budget);
                } catch (IOException e) {
                  fail(e);
                }
              });
      assertTrue(ok < CALLS, "the disk never filled up with a budget of " + budget);
      assertReopensSound(folder, fake, ok);
    }
  }

  @Test
  void aFailedCommitKeepsThePreviousOne(Random random) throws IOException {
    // Method names on Lucene's write path: the commit's two phases, a segment flush, a merge.
    for (String stage :
        new String[] {"prepareCommitInternal", "finishCommit", "flush", "mergeMiddle"}) {
      Path folder = tmp.resolve(stage);
      FakeEmbedder fake = new FakeEmbedder("fake", 16);
      int after = 1 + random.nextInt(4);
      MockDirectoryWrapper.Failure failure =
          new MockDirectoryWrapper.Failure() {
            private int seen;

            @Override
            public void eval(MockDirectoryWrapper dir) throws IOException {
              if (!doFail) {
                return;
              }
              StackTraceElement[] stack = Thread.currentThread().getStackTrace();
              for (StackTraceElement e : stack) {
                // Closing a file being read does not fail on a real disk.
                if (e.getMethodName().equals("close")
                    && e.getClassName().endsWith("MockIndexInputWrapper")) {
                  return;
                }
              }
              for (StackTraceElement e : stack) {
                boolean flush =
                    stage.equals("flush")
                        && e.getClassName().endsWith("DocumentsWriterPerThread")
                        && e.getMethodName().equals("flush");
                if (flush || (!stage.equals("flush") && e.getMethodName().equals(stage))) {
                  if (++seen > after) {
                    throw new IOException("injected failure in " + stage);
                  }
                  return;
                }
              }
            }
          };
      failure.setDoFail();
      int ok = ingestUntilFailure(random, folder, fake, d -> d.failOn(failure));
      assertReopensSound(folder, fake, ok);
    }
  }
}
