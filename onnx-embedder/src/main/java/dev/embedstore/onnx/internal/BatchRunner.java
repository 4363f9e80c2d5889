package dev.embedstore.onnx.internal;

import dev.embedstore.embed.EmbeddingException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the batches of one embedding call on up to {@code parallelism} threads: the caller's and
 * pool workers', longest batches first so the threads finish together.
 *
 * <p>A call returns only once every batch it started has finished, whatever happens: when a batch
 * fails or the caller is interrupted, no further batch starts, the ones running (inside native
 * code, which an interrupt cannot stop) are waited for, and only then does the call throw. So the
 * session they use can never be freed under them.
 *
 * <p><b>NOTE</b>: thread-safe; {@link #close()} stops the workers and waits for them.
 */
public final class BatchRunner implements AutoCloseable {
  private final int parallelism;
  private volatile ExecutorService pool;

  /** One batch of work. */
  @FunctionalInterface
  public interface Task {
    /**
     * Runs batch {@code b}.
     *
     * @param b the batch's index in the plan
     */
    void run(int b);
  }

  /**
   * A runner.
   *
   * @param parallelism the most batches at once, at least 1
   */
  public BatchRunner(int parallelism) {
    this.parallelism = parallelism;
  }

  /**
   * Runs batches {@code 0 .. count - 1}, highest index first.
   *
   * @param count how many batches
   * @param task runs one
   * @throws InterruptedIOException if the caller was interrupted (its interrupt flag is set again)
   * @throws RuntimeException the first batch failure, the others suppressed
   */
  public void runAll(int count, Task task) throws InterruptedIOException {
    int workers = Math.min(parallelism, count);
    AtomicInteger next = new AtomicInteger(count);
    Runnable drain =
        () -> {
          for (int b; (b = next.decrementAndGet()) >= 0; ) {
            task.run(b);
          }
        };
    if (workers <= 1) {
      drain.run();
      return;
    }
    ExecutorService p = pool();
    List<Future<?>> helpers = new ArrayList<>(workers - 1);
    for (int w = 1; w < workers; w++) {
      helpers.add(p.submit(drain));
    }
    RuntimeException failure = null;
    try {
      drain.run();
    } catch (RuntimeException e) {
      failure = e;
      next.set(0);
    }
    boolean interrupted = false;
    for (Future<?> f : helpers) {
      while (true) {
        try {
          f.get();
          break;
        } catch (ExecutionException e) {
          next.set(0);
          RuntimeException cause =
              e.getCause() instanceof RuntimeException re
                  ? re
                  : new EmbeddingException("inference failed", e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
          break;
        } catch (InterruptedException e) {
          // Start no more batches, but wait for the running ones: they use the native session.
          interrupted = true;
          next.set(0);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while embedding");
      if (failure != null) {
        io.addSuppressed(failure);
      }
      throw io;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (this) {
        p = pool;
        if (p == null) {
          p =
              Executors.newFixedThreadPool(
                  parallelism - 1,
                  Thread.ofPlatform().daemon().name("embedstore-onnx-", 0).factory());
          pool = p;
        }
      }
    }
    return p;
  }

  /** Stops the workers and waits for them to end. */
  @Override
  public void close() {
    ExecutorService p;
    synchronized (this) {
      p = pool;
      pool = null;
    }
    if (p != null) {
      p.shutdown();
      boolean interrupted = false;
      while (true) {
        try {
          if (p.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
