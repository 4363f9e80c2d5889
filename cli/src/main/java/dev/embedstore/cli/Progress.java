package dev.embedstore.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on stderr, redrawn at most five times a second, shown only when
 * stderr is a terminal (the launcher says so with {@code -Dembedstore.tty=true}): logs and pipes
 * stay clean.
 *
 * <p>Thread-safe: updates may come from any thread.
 */
final class Progress implements AutoCloseable {
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastDraw;
  private int lastWidth;

  /**
   * Starts a display.
   *
   * @param label what is being done, e.g. "indexing"
   * @param total how many texts are expected, or -1 when unknown
   */
  Progress(String label, long total) {
    this(Terminal.err(), label, total, Terminal.tty());
  }

  Progress(PrintStream err, String label, long total, boolean enabled) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.enabled = enabled;
  }

  /**
   * Reports how far the work is.
   *
   * @param done texts done
   * @param embedded texts the model embedded
   * @param reused texts served from the cache
   */
  synchronized void update(long done, long embedded, long reused) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && done != total) {
      return;
    }
    lastDraw = now;
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    StringBuilder line = new StringBuilder();
    line.append(label).append(' ');
    if (total > 0) {
      int width = 24;
      int filled = (int) Math.min(width, width * done / total);
      line.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
      line.append(String.format(Locale.ROOT, "%,d/%,d", done, total));
    } else {
      line.append(String.format(Locale.ROOT, "%,d", done));
    }
    line.append(
        String.format(
            Locale.ROOT,
            " texts  %,.0f/s  embedded %,d  from cache %,d",
            done / seconds,
            embedded,
            reused));
    int pad = Math.max(0, lastWidth - line.length());
    err.print("\r" + line + " ".repeat(pad));
    err.flush();
    lastWidth = line.length();
  }

  /** Erases the display, so the summary that follows starts on a clean line. */
  @Override
  public synchronized void close() {
    if (enabled && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
      lastWidth = 0;
    }
  }
}
