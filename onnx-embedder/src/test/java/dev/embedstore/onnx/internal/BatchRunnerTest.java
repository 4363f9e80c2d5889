package dev.embedstore.onnx.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BatchRunnerTest {
  /**
   * A batch inside native code cannot be interrupted; an interrupted call must wait for it before
   * it returns, or the caller could free the session under it.
   */
  @Test
  void anInterruptedCallReturnsOnlyAfterTheBatchesItStartedHaveEnded() throws Exception {
    AtomicBoolean release = new AtomicBoolean();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch helperInside = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicInteger inFlightAtReturn = new AtomicInteger(-1);
    AtomicBoolean interruptFlag = new AtomicBoolean();
    try (BatchRunner runner = new BatchRunner(2)) {
      Thread caller =
          new Thread(
              () -> {
                try {
                  runner.runAll(
                      8,
                      b -> {
                        inFlight.incrementAndGet();
                        try {
                          if (Thread.currentThread().getName().startsWith("embedstore-onnx-")) {
                            helperInside.countDown();
                            while (!release.get()) {
                              Thread.onSpinWait(); // like native code: deaf to interrupts
                            }
                          } else if (!helperInside.await(30, TimeUnit.SECONDS)) {
                            // The caller's first batch waits until the helper holds one.
                            throw new IllegalStateException("the helper thread never started");
                          }
                          ran.incrementAndGet();
                        } catch (InterruptedException e) {
                          throw new IllegalStateException(e);
                        } finally {
                          inFlight.decrementAndGet();
                        }
                      });
                } catch (Throwable t) {
                  thrown.set(t);
                } finally {
                  inFlightAtReturn.set(inFlight.get());
                  interruptFlag.set(Thread.currentThread().isInterrupted());
                }
              });
      caller.start();
      assertTrue(helperInside.await(30, TimeUnit.SECONDS));
      // Once the caller has run the other batches it waits for the helper; interrupt it there.
      while (ran.get() < 7 && caller.isAlive()) {
        Thread.onSpinWait();
      }
      caller.interrupt();
      caller.join(300);
      assertTrue(caller.isAlive(), "returned while a batch it started was still running");
      release.set(true);
      caller.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(caller.isAlive());
    }
    assertNotNull(thrown.get(), "the interrupt is reported");
    assertTrue(thrown.get() instanceof InterruptedIOException, thrown.get().toString());
    assertEquals(0, inFlightAtReturn.get(), "no batch in flight when the call returned");
    assertTrue(interruptFlag.get(), "the interrupt flag is set again");
    assertEquals(8, ran.get());
  }

  @Test
  void aFailedBatchStopsTheOthersAndIsThrownAfterTheyEnd() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    try (BatchRunner runner = new BatchRunner(2)) {
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class,
              () ->
                  runner.runAll(
                      100,
                      b -> {
                        inFlight.incrementAndGet();
                        try {
                          if (b == 97) {
                            throw new IllegalStateException("batch " + b + " failed");
                          }
                        } finally {
                          inFlight.decrementAndGet();
                        }
                      }));
      assertTrue(e.getMessage().contains("failed"));
      assertEquals(0, inFlight.get());
    }
  }
}
