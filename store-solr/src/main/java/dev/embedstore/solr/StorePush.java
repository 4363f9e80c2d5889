package dev.embedstore.solr;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.ProgressListener;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.Upserter;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Moves a store into another with no model calls: its cache entries, then (if wanted) its
 * documents, whose vectors the target then finds in the entries just copied. Made for the move from
 * a local store to a cluster ({@code embedstore cache push}), it works between any two {@link
 * VectorStore}s of one model.
 *
 * <pre>{@code
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     VectorStore local = LuceneVectorStore.open(Path.of("st"), model);
 *     VectorStore cluster = SolrVectorStore.open(config, StorePush.withoutModelCalls(model))) {
 *   StorePush.cache(local, cluster, model.fingerprint());
 *   StorePush.documents(local, cluster, null, null);
 * }
 * }</pre>
 *
 * <p>Running a push again copies nothing twice: entries the target holds are not sent, and
 * documents identical to the target's are left alone (counted unchanged).
 *
 * <p>Static; thread-safe as the stores are.
 */
public final class StorePush {
  /** Entries looked up and copied per batch. */
  public static final int BATCH = 500;

  private StorePush() {}

  /**
   * What a cache push did.
   *
   * @param entries entries of the model in the source
   * @param copied entries the target lacked, now copied
   * @param present entries the target held already, not sent
   */
  public record CacheResult(long entries, long copied, long present) {}

  /**
   * Copies one model's cache entries the target lacks, and commits the target.
   *
   * @param from the source store
   * @param to the target store
   * @param fingerprint the model whose entries to copy
   * @return the counts
   * @throws IOException if a store fails
   */
  public static CacheResult cache(VectorStore from, VectorStore to, ModelFingerprint fingerprint)
      throws IOException {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(fingerprint, "fingerprint");
    long[] counts = new long[3];
    List<CacheEntry> batch = new ArrayList<>(BATCH);
    from.cache()
        .forEach(
            fingerprint,
            e -> {
              batch.add(e);
              if (batch.size() == BATCH) {
                copyMissing(batch, to, counts);
                batch.clear();
              }
            });
    copyMissing(batch, to, counts);
    to.commit();
    return new CacheResult(counts[0], counts[1], counts[2]);
  }

  private static void copyMissing(List<CacheEntry> batch, VectorStore to, long[] counts)
      throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    List<CacheKey> keys = new ArrayList<>(batch.size());
    for (CacheEntry e : batch) {
      keys.add(e.key());
    }
    float[][] held = to.cache().getAll(keys);
    List<CacheEntry> missing = new ArrayList<>();
    for (int i = 0; i < held.length; i++) {
      if (held[i] == null) {
        missing.add(batch.get(i));
      }
    }
    if (!missing.isEmpty()) {
      to.putCacheEntries(missing);
    }
    counts[0] += batch.size();
    counts[1] += missing.size();
    counts[2] += batch.size() - missing.size();
  }

  /**
   * Upserts every document of the source into the target, as the source holds it: text, title and
   * metadata, and the document's own vector when it brought one (a document whose single vector is
   * not the model's vector of its text). Push the cache first: the target then finds every vector
   * there. Documents split into chunks need the splitter they were indexed with.
   *
   * @param from the source store
   * @param to the target store; open it with {@link #withoutModelCalls} to be sure nothing is
   *     embedded
   * @param splitter how the documents were split when indexed, or null for one vector each
   * @param listener told of progress after each batch, or null
   * @return what the upsert did: added, updated, unchanged, and 0 embedded when the cache was
   *     pushed
   * @throws IOException if a store fails
   */
  public static UpsertResult documents(
      VectorStore from, VectorStore to, TextSplitter splitter, ProgressListener listener)
      throws IOException {
    return documents(from, to, null, splitter, listener);
  }

  /**
   * Upserts the source's documents that match a filter into the target, as {@link
   * #documents(VectorStore, VectorStore, TextSplitter, ProgressListener)} does for all: for a store
   * whose documents were split in different ways, one push per way.
   *
   * @param from the source store
   * @param to the target store
   * @param filter the documents to push, or null for all
   * @param splitter how those documents were split when indexed, or null for one vector each
   * @param listener told of progress after each batch, or null
   * @return what the upsert did
   * @throws IOException if a store fails
   */
  public static UpsertResult documents(
      VectorStore from,
      VectorStore to,
      Filter filter,
      TextSplitter splitter,
      ProgressListener listener)
      throws IOException {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    ModelFingerprint fp = ModelFingerprint.ofHex(from.info().fingerprint());
    try (Stream<String> ids = from.ids(filter)) {
      Iterator<String> it = ids.iterator();
      Iterable<Document> docs = () -> new Documents(from, it, fp);
      try {
        return to.upsert(docs, splitter, listener);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  /** The source's documents, read as the target's upsert asks for them. */
  private static final class Documents implements Iterator<Document> {
    private final VectorStore from;
    private final Iterator<String> ids;
    private final ModelFingerprint fingerprint;

    Documents(VectorStore from, Iterator<String> ids, ModelFingerprint fingerprint) {
      this.from = from;
      this.ids = ids;
      this.fingerprint = fingerprint;
    }

    @Override
    public boolean hasNext() {
      return ids.hasNext();
    }

    @Override
    public Document next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String id = ids.next();
      try {
        Document d =
            from.get(id)
                .orElseThrow(
                    () -> new IOException("document " + id + " left the source during the push"));
        Document plain = new Document(d.id(), d.text(), d.title(), d.metadata());
        if (d.vector() == null) {
          return plain;
        }
        // One vector: the model's vector of its text, or the document's own.
        CacheKey text =
            CacheKey.of(fingerprint, "", Role.DOCUMENT, Upserter.embeddedText(d.title(), d.text()));
        float[] cached = from.cache().getAll(List.of(text))[0];
        return cached != null && java.util.Arrays.equals(cached, d.vector())
            ? plain
            : plain.withVector(d.vector());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A model that never runs: the name, fingerprint and dimension of {@code model}, and an {@link
   * UnsupportedOperationException} for any text to embed. A target store opened with it takes only
   * vectors its cache (or the documents) already hold, so a push costs no model call, ever.
   *
   * @param model the store's model
   * @return the guard; closing it does nothing
   */
  public static Embedder withoutModelCalls(Embedder model) {
    Objects.requireNonNull(model, "model");
    return new Embedder() {
      @Override
      public String modelName() {
        return model.modelName();
      }

      @Override
      public ModelFingerprint fingerprint() {
        return model.fingerprint();
      }

      @Override
      public int dimension() {
        return model.dimension();
      }

      @Override
      public List<float[]> embed(List<String> texts, Role role) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(role, "role");
        String first = texts.isEmpty() ? "" : texts.get(0);
        throw new UnsupportedOperationException(
            "a push makes no model calls, but "
                + texts.size()
                + " text(s) have no vector in the target's cache (the first: \""
                + (first.length() > 60 ? first.substring(0, 57) + "..." : first)
                + "\"): push the cache first, and give the chunking the documents were indexed"
                + " with");
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "withoutModelCalls(" + model.modelName() + ")";
      }
    };
  }
}
