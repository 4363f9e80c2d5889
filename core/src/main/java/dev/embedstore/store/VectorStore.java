package dev.embedstore.store;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.Role;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A store of documents searchable by meaning, whose vectors are never computed twice: every vector
 * the model makes is kept in the store's embedding cache, so re-adding, rebuilding or re-opening
 * needs no model calls. Backends implement it: {@code LuceneVectorStore} (one folder) and {@code
 * SolrVectorStore} (a SolrCloud collection). {@code BaseVectorStoreTestCase} in this module's
 * test-jar is the contract; every backend's tests extend it.
 *
 * <pre>{@code
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     VectorStore store = LuceneVectorStore.open(Path.of("my-store"), model)) {
 *   store.upsert(List.of(Document.of("a", "Lucene is a search library.")));
 *   List<SearchHit> hits = store.search(SearchRequest.of("what is lucene", 5));
 * }
 * }</pre>
 *
 * <p>A store belongs to one model, recorded when it is created; opening it with another is refused
 * naming both. A store opened with an {@link dev.embedstore.embed.ExternalModel} holds the
 * application's own vectors: documents must carry one ({@link Document#withVector}), and vector
 * searches must give one ({@link SearchRequest#ofVector}).
 *
 * <p>Writes are durable after {@link #commit()}; {@link #upsert} and the deletes commit before they
 * return. A crash loses at most what was not committed, and never leaves a document without its
 * vector's cache entry.
 *
 * <p><b>NOTE</b>: implementations are thread-safe: searches run concurrently with one another and
 * with writes; writes are serialised. {@link #close()} is idempotent, waits for running calls, and
 * any other call after it throws {@link IllegalStateException} naming the store's class.
 */
public interface VectorStore extends AutoCloseable {

  /**
   * Adds or replaces documents, one vector each. Same as {@code upsert(documents, null, null)}.
   *
   * @param documents the documents
   * @return what happened
   * @throws IOException if the store or the model fails
   * @throws IllegalArgumentException if a document cannot be stored
   */
  default UpsertResult upsert(List<? extends Document> documents) throws IOException {
    return upsert(documents, null, null);
  }

  /**
   * Adds or replaces documents from a sequence of any length, in bounded memory. A document
   * identical to the stored one (text, title, metadata, vector and chunking) is left alone; a
   * changed one is replaced whole, and its unchanged chunks' vectors come from the cache. Within
   * one call the last document with an id wins.
   *
   * <p>Documents go in batches; each batch is checked, embedded, then written. When the call fails
   * (a document the store cannot hold, a model failure, a full disk), the batches before the
   * failing one are committed and nothing of it or after it is written; vectors the model made for
   * it stay in the cache. Running the same call again resumes it at no model cost.
   *
   * @param documents the documents
   * @param splitter splits each text into chunks, one vector each; null for one vector per
   *     document. A document with its own vector is always one chunk.
   * @param listener told of progress after each batch, or null
   * @return what happened
   * @throws IOException if the store or the model fails; the message names the store
   * @throws IllegalArgumentException if a document cannot be stored (naming it and the reason), a
   *     metadata field changes type, or a document's vector does not fit the store's model
   */
  UpsertResult upsert(
      Iterable<? extends Document> documents, TextSplitter splitter, ProgressListener listener)
      throws IOException;

  /**
   * Checks that the store could hold a document as it is, without writing anything: the backend's
   * limits (such as the length of an id), the metadata types the store holds, the document's vector
   * (its dimension; a store of an external model needs one). {@link #upsert} makes the same checks
   * batch by batch; a caller checking all its input first can decide before anything is written.
   *
   * @param document the document
   * @throws IllegalArgumentException naming the document and the reason when it could not
   */
  void checkStorable(Document document);

  /**
   * Deletes documents by id; absent ids are ignored. Their vectors stay in the cache.
   *
   * @param ids the ids
   * @return how many documents existed and were deleted
   * @throws IOException if the store fails
   */
  long delete(Collection<String> ids) throws IOException;

  /**
   * Deletes the documents a filter matches. Their vectors stay in the cache.
   *
   * @param filter the filter
   * @return how many documents were deleted
   * @throws IOException if the store fails
   */
  long delete(Filter filter) throws IOException;

  /**
   * Deletes every document. The cache keeps every vector.
   *
   * @return how many documents were deleted
   * @throws IOException if the store fails
   */
  long deleteAll() throws IOException;

  /**
   * Makes every write durable and visible to searches.
   *
   * @throws IOException if the commit fails
   */
  void commit() throws IOException;

  /**
   * Finds documents.
   *
   * @param request what to find
   * @return up to k documents, best first, each with its best chunk
   * @throws IOException if the store or the model fails
   * @throws UnsupportedOperationException if the backend cannot search in the request's mode
   *     ({@link #searchModes()}), naming the mode and the backend
   * @throws IllegalArgumentException if the query vector's dimension is not the store's
   */
  List<SearchHit> search(SearchRequest request) throws IOException;

  /**
   * The search modes this store serves.
   *
   * @return the modes
   */
  Set<SearchMode> searchModes();

  /**
   * The stored document with an id: its whole text, title and metadata; its vector when it was
   * stored as one chunk (null for a document split into several). Text that is not valid Unicode (a
   * lone surrogate) may come back with U+FFFD in its place.
   *
   * @param id the id
   * @return the document, or empty
   * @throws IOException if the store fails
   */
  Optional<Document> get(String id) throws IOException;

  /**
   * The ids of the stored documents a filter matches, streamed: a million ids are never held in
   * memory at once. The stream sees the store as of the call; close it (try-with-resources) to
   * release what it holds. An IO failure while it is read comes out as an {@link
   * java.io.UncheckedIOException}.
   *
   * @param filter the filter, or null for every document
   * @return the ids, in the backend's order
   * @throws IOException if the store fails
   */
  Stream<String> ids(Filter filter) throws IOException;

  /**
   * The number of documents.
   *
   * @return documents stored
   * @throws IOException if the store fails
   */
  long count() throws IOException;

  /**
   * What the store is and holds.
   *
   * @return the description
   * @throws IOException if the store fails
   */
  StoreInfo info() throws IOException;

  /**
   * Embeds texts through the store's model and cache: cached vectors are served, the rest are
   * computed once and kept. Query vectors are kept in memory only unless the store was opened to
   * persist them.
   *
   * @param texts the texts
   * @param role documents or queries
   * @return the vectors, their keys and this call's counts
   * @throws IOException if the store or the model fails
   * @throws UnsupportedOperationException if the store's model is external and a text is not cached
   */
  CachedEmbedder.Outcome embed(List<String> texts, Role role) throws IOException;

  /**
   * Puts vectors into the store's cache, such as ones exported from another store of the same
   * model: indexing their texts then needs no model calls. Durable with the next commit.
   *
   * @param entries the entries
   * @throws IOException if the store fails
   * @throws IllegalArgumentException if an entry's dimension differs from its model's in the cache
   */
  void putCacheEntries(Collection<CacheEntry> entries) throws IOException;

  /**
   * What the store's embedding has done since it was opened: cache hits, model calls, time.
   *
   * @return a snapshot
   */
  CachedEmbedder.Stats embedderStats();

  /**
   * A read-only view of the store's embedding cache, for lookups, export and statistics. Its
   * writing methods throw {@link UnsupportedOperationException} (write through {@link
   * #putCacheEntries}); closing it does nothing. It is usable while the store is open.
   *
   * @return the view
   */
  EmbeddingCache cache();

  /**
   * Commits pending writes and releases the store. Idempotent. The model is the caller's to close.
   *
   * @throws IOException if the final commit or releasing fails
   */
  @Override
  void close() throws IOException;
}
