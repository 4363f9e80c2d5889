package dev.embedstore.lucene.internal;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.IOUtils;

/**
 * One open index of a store or cache: its writer with its failure state, its near-real-time
 * searchers, and the generation of writes they show.
 *
 * <p><b>Visibility.</b> Every write calls {@link #changed()}, which bumps a write generation;
 * {@link #acquireCurrent()} refreshes the searcher first when it shows an older generation. The
 * generation to show is read before the refresh starts and recorded after it ends, so a write that
 * returned before a reader asked is always visible to it, whichever thread refreshes.
 *
 * <p><b>Failure.</b> When Lucene gives up the writer (a failed flush, commit or merge; a full disk)
 * the index rolls back to its last commit and refuses further use: {@link #ensureUsable()} throws
 * {@link IllegalStateException} saying to reopen, and {@link #failed} reports the failure once,
 * naming the store.
 *
 * <p><b>Read-only.</b> {@link #openReadOnly} opens the last commit without a writer and without the
 * write lock (a writer may hold it): every write throws {@link IllegalStateException}.
 *
 * <p><b>NOTE</b>: thread-safe.
 */
public final class StoreIndex implements Closeable {
  private final Directory directory;
  private final Directory ownedDirectory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final WriterConfigs.StoreCodec codec;
  private final String name;
  private final AtomicLong written = new AtomicLong();
  private final Object refreshLock = new Object();
  private volatile long visible;
  private volatile Throwable failure;

  private StoreIndex(
      Directory directory,
      Directory ownedDirectory,
      IndexWriter writer,
      SearcherManager searchers,
      WriterConfigs.StoreCodec codec,
      String name) {
    this.directory = directory;
    this.ownedDirectory = ownedDirectory;
    this.writer = writer;
    this.searchers = searchers;
    this.codec = codec;
    this.name = name;
  }

  /**
   * Opens the index of a directory for writing.
   *
   * @param dir the directory
   * @param owned whether closing the index closes the directory (it is closed on failure too)
   * @param configured the writer configuration
   * @param name the store, for messages
   * @return the open index
   * @throws IOException if it cannot be opened or its lock is held
   */
  public static StoreIndex open(
      Directory dir, boolean owned, WriterConfigs.Configured configured, String name)
      throws IOException {
    IndexWriter writer = null;
    boolean success = false;
    try {
      writer = WriterConfigs.open(dir, configured.config(), name);
      StoreIndex index =
          new StoreIndex(
              dir,
              owned ? dir : null,
              writer,
              new SearcherManager(writer, null),
              configured.codec(),
              name);
      success = true;
      return index;
    } finally {
      if (!success) {
        if (writer != null) {
          IOUtils.closeWhileHandlingException(writer::rollback);
        }
        if (owned) {
          IOUtils.closeWhileHandlingException(dir);
        }
      }
    }
  }

  /**
   * Opens a directory's last commit for reading only: no writer, no write lock.
   *
   * @param dir the directory
   * @param owned whether closing the index closes the directory (it is closed on failure too)
   * @param name the store, for messages
   * @return the open index
   * @throws IOException if the index cannot be read
   */
  public static StoreIndex openReadOnly(Directory dir, boolean owned, String name)
      throws IOException {
    boolean success = false;
    try {
      StoreIndex index =
          new StoreIndex(dir, owned ? dir : null, null, new SearcherManager(dir, null), null, name);
      success = true;
      return index;
    } finally {
      if (!success && owned) {
        IOUtils.closeWhileHandlingException(dir);
      }
    }
  }

  /**
   * Whether the index was opened without a writer.
   *
   * @return whether writes are refused
   */
  public boolean readOnly() {
    return writer == null;
  }

  /**
   * The writer; writes through it must be followed by {@link #changed()}.
   *
   * @return the writer
   * @throws IllegalStateException if the index is read-only
   */
  public IndexWriter writer() {
    if (writer == null) {
      throw new IllegalStateException(
          "store " + name + " is open read-only; open it for writing to change it");
    }
    return writer;
  }

  /** The directory. */
  public Directory directory() {
    return directory;
  }

  /** The codec, whose vector format a rebuild switches. */
  public WriterConfigs.StoreCodec codec() {
    return codec;
  }

  /** The store's name, for messages. */
  public String name() {
    return name;
  }

  /**
   * Records that a write happened: the next {@link #acquireCurrent()} shows it.
   *
   * @return the write's generation
   */
  public long changed() {
    return written.incrementAndGet();
  }

  /**
   * The generation of the newest write the current searcher is known to show.
   *
   * @return the generation
   */
  public long visibleGeneration() {
    return visible;
  }

  /**
   * A searcher that shows every write that returned before this call; release it with {@link
   * #release}.
   *
   * @return the searcher
   * @throws IOException if refreshing fails
   */
  public IndexSearcher acquireCurrent() throws IOException {
    long want = written.get();
    if (visible < want) {
      synchronized (refreshLock) {
        long target = written.get();
        if (visible < target) {
          searchers.maybeRefreshBlocking();
          visible = target;
        }
      }
    }
    return searchers.acquire();
  }

  /**
   * A searcher as of the last refresh, without refreshing: for searches, which need not see writes
   * the instant they return.
   *
   * @return the searcher
   * @throws IOException if the searcher manager is closed
   */
  public IndexSearcher acquire() throws IOException {
    return searchers.acquire();
  }

  /**
   * Releases a searcher.
   *
   * @param s the searcher
   * @throws IOException if releasing fails
   */
  public void release(IndexSearcher s) throws IOException {
    searchers.release(s);
  }

  /**
   * Makes every write durable with this user data, and visible.
   *
   * @param userData the commit's user data, or null to keep the current one
   * @throws IOException if the commit fails
   */
  public void commit(Map<String, String> userData) throws IOException {
    long target = written.get();
    IndexWriter w = writer();
    if (userData != null) {
      w.setLiveCommitData(userData.entrySet());
    }
    w.commit();
    synchronized (refreshLock) {
      searchers.maybeRefreshBlocking();
      visible = Math.max(visible, target);
    }
  }

  /**
   * Whether there are writes since the last commit.
   *
   * @return whether a commit would change anything
   */
  public boolean hasUncommittedChanges() {
    return writer != null && writer.hasUncommittedChanges();
  }

  /**
   * Throws when the writer was lost to a failure: the store must be reopened.
   *
   * @throws IllegalStateException naming the store and the failure
   */
  public void ensureUsable() {
    Throwable f = failure;
    if (f != null) {
      throw new IllegalStateException(
          "store "
              + name
              + " failed to write ("
              + f.getMessage()
              + ") and was rolled back to its last commit; reopen it",
          f);
    }
  }

  /**
   * Whether Lucene gave up the writer.
   *
   * @return whether the writer is lost
   */
  public boolean lost() {
    return writer != null && (!writer.isOpen() || writer.getTragicException() != null);
  }

  /**
   * Turns a failed write into the IOException its caller gets, naming the store and the operation.
   * When the failure cost Lucene its writer, the index rolls back to its last commit and refuses
   * further use; the caller is told, once, that writes since the last commit were dropped.
   *
   * @param operation what failed, such as {@code upsert}
   * @param e the failure
   * @return the exception to throw
   */
  public IOException failed(String operation, Throwable e) {
    boolean lost = lost();
    Throwable cause =
        writer != null && writer.getTragicException() != null ? writer.getTragicException() : e;
    if (lost && failure == null) {
      failure = cause;
      try {
        writer.rollback();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
    return new IOException(
        "store "
            + name
            + ": "
            + operation
            + " failed: "
            + cause.getMessage()
            + (lost ? "; writes since the last commit were dropped; reopen the store" : ""),
        e);
  }

  /**
   * Rolls back to the last commit after a failure that left the writer inconsistent (a rebuild that
   * deleted everything), and refuses further use.
   *
   * @param e the failure
   */
  public void abandon(Throwable e) {
    if (failure == null) {
      failure = e;
    }
    try {
      writer().rollback();
    } catch (IOException | RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  /**
   * Commits with the given user data when there are uncommitted writes, then closes the searchers,
   * the writer and (when owned) the directory, each even if another failed; the first failure is
   * thrown with the others suppressed.
   *
   * @param userData the final commit's user data, or null; asked for only when needed
   * @throws IOException if committing or closing fails
   */
  public void close(Supplier<Map<String, String>> userData) throws IOException {
    List<Closeable> parts = new ArrayList<>();
    parts.add(searchers);
    parts.add(
        () -> {
          if (writer != null && writer.isOpen()) {
            if (failure == null && userData != null && writer.hasUncommittedChanges()) {
              writer.setLiveCommitData(userData.get().entrySet());
            }
            if (failure == null) {
              writer.close();
            } else {
              writer.rollback();
            }
          }
        });
    if (ownedDirectory != null) {
      parts.add(ownedDirectory);
    }
    IOUtils.close(parts);
  }

  @Override
  public void close() throws IOException {
    close(null);
  }

  @Override
  public String toString() {
    return "StoreIndex[" + name + "]";
  }
}
