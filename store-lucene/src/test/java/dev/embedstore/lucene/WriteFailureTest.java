package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
      long cached = store.cache().stats().entries();
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
      boolean[] fired = {false};
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
                    fired[0] = true;
                    throw new IOException("injected failure in " + stage);
                  }
                  return;
                }
              }
            }
          };
      failure.setDoFail();
      int ok = ingestUntilFailure(random, folder, fake, d -> d.failOn(failure));
      assertTrue(fired[0], "the failure injected in " + stage + " never fired");
      assertTrue(ok < CALLS, "a failure in " + stage + " reached no caller");
      assertReopensSound(folder, fake, ok);
    }
  }

  /**
   * After Lucene loses the writer, every later call says the same thing once: reopen. The message
   * does not wrap the previous call's failure again, and the store is not told "dropped" twice.
   */
  @Test
  void aStoreThatLostItsWriterRefusesLaterCallsPlainly(Random random) throws IOException {
    Path folder = tmp.resolve("s");
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    MockDirectoryWrapper dir = mock(random, folder);
    LuceneVectorStore store = LuceneVectorStore.open(dir, fake, null);
    store.upsert(call(0));
    MockDirectoryWrapper.Failure failure =
        new MockDirectoryWrapper.Failure() {
          @Override
          public void eval(MockDirectoryWrapper d) throws IOException {
            for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
              if (doFail && e.getMethodName().equals("prepareCommitInternal")) {
                throw new IOException("injected commit failure");
              }
            }
          }
        };
    failure.setDoFail();
    dir.failOn(failure);
    IOException first = assertThrows(IOException.class, () -> store.upsert(call(1)));
    assertTrue(first.getMessage().contains("injected commit failure"), first.getMessage());
    failure.clearDoFail();
    for (int i = 0; i < 3; i++) {
      IllegalStateException later =
          assertThrows(IllegalStateException.class, () -> store.upsert(call(2)));
      assertTrue(later.getMessage().contains("reopen it"), later.getMessage());
      assertFalse(
          later.getMessage().contains("failed: store"), "not nested: " + later.getMessage());
      assertThrows(IllegalStateException.class, store::commit);
      assertThrows(IllegalStateException.class, () -> store.delete(List.of("c0-1")));
    }
    store.close();
    store.close();
    var closed = assertThrows(IllegalStateException.class, () -> store.upsert(call(3)));
    assertEquals("LuceneVectorStore is closed", closed.getMessage());
    dir.close();
    try (LuceneVectorStore again = LuceneVectorStore.open(folder, fake)) {
      assertEquals(PER_CALL, again.count(), "reopened at the last commit");
    }
  }

  /** A close whose final commit fails still releases the write lock, and says why it failed. */
  @Test
  void aFailingCloseReleasesTheLockAndReportsTheFailure(Random random) throws IOException {
    Path folder = tmp.resolve("s");
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    MockDirectoryWrapper dir = mock(random, folder);
    LuceneVectorStore store = LuceneVectorStore.open(dir, fake, null);
    store.upsert(call(0));
    store.embed(List.of("pending, not committed"), dev.embedstore.embed.Role.DOCUMENT);
    MockDirectoryWrapper.Failure failure =
        new MockDirectoryWrapper.Failure() {
          @Override
          public void eval(MockDirectoryWrapper d) throws IOException {
            for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
              if (doFail && e.getMethodName().equals("prepareCommitInternal")) {
                throw new IOException("injected failure at close");
              }
            }
          }
        };
    failure.setDoFail();
    dir.failOn(failure);
    IOException e = assertThrows(IOException.class, store::close);
    assertTrue(
        e.getMessage().contains("injected failure at close")
            || (e.getCause() != null && e.getCause().getMessage().contains("injected")),
        e.toString());
    failure.clearDoFail();
    dir.close();
    try (LuceneVectorStore again = LuceneVectorStore.open(folder, fake)) {
      assertEquals(PER_CALL, again.count(), "the lock is free and the last commit is whole");
    }
  }
}
