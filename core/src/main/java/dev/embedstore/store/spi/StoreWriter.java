package dev.embedstore.store.spi;

import dev.embedstore.store.Document;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The narrow write side a backend implements for {@link Upserter}, which does everything that is
 * the same for every backend: de-duplicating ids, digests and unchanged detection, chunking,
 * embedding through the cache, counting, commit intervals.
 *
 * <p><b>NOTE</b>: the {@link Upserter} calls it from one thread at a time, under the store's write
 * lock; implementations need not be thread-safe for these calls.
 */
public interface StoreWriter {
  /**
   * The stored digests of documents ({@link DocumentDigest}), including documents {@link #write}
   * wrote that are not committed yet.
   *
   * @param ids distinct ids
   * @return the digest of each id that is stored; ids that are not stored are absent
   * @throws IOException if the store cannot be read
   */
  Map<String, String> digests(Collection<String> ids) throws IOException;

  /**
   * Checks that the backend can hold a document as it is: an id or metadata value too long for an
   * index term, say. Metadata types are checked by the {@link Upserter} against {@link
   * #metadataTypes()}.
   *
   * @param d the document
   * @throws IllegalArgumentException naming the document, the field and the limit when it cannot
   */
  void checkStorable(Document d);

  /**
   * The metadata field types the store holds ({@link MetadataTypes}).
   *
   * @return the types by field; the caller does not change it
   */
  Map<String, String> metadataTypes();

  /**
   * Writes documents, each replacing the stored document with its id (all its chunks). Every
   * chunk's cache entry was put into the store's cache before this call, so a commit never makes a
   * chunk visible without its entry.
   *
   * @param documents the documents, ids distinct
   * @param newTypes metadata field types first seen in these documents; the store records them with
   *     its next commit
   * @throws IOException if the store cannot be written
   */
  void write(List<PreparedDocument> documents, Map<String, String> newTypes) throws IOException;

  /**
   * Makes what was written and put into the cache durable and visible; cheap when nothing was.
   *
   * @throws IOException if the commit fails
   */
  void commit() throws IOException;

  /**
   * Turns a failed upsert into what its caller gets: the backend commits the batches written before
   * the failing one if it can, and returns the exception to throw (or throws a runtime exception
   * that is the caller's to see as it is, such as a refused document).
   *
   * @param failure what went wrong
   * @param documentsBefore documents of the call in the batches before the failing one
   * @return the exception to throw, naming the store and what was kept
   */
  IOException upsertFailed(Exception failure, long documentsBefore);
}
