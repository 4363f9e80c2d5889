package dev.embedstore.store.spi;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ExternalModel;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.ProgressListener;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of an upsert that is the same for every backend: batches, de-duplicated ids, digests and
 * unchanged detection, checks, chunking, embedding through the cache, counting and commit
 * intervals. A backend supplies a {@link StoreWriter} and calls {@link #upsert} under its write
 * lock.
 *
 * <p>Per batch of {@value #BATCH} documents: the last document of each id is kept; documents whose
 * {@link DocumentDigest} equals the stored one are counted unchanged; the rest are checked (the
 * backend's limits, metadata types, vectors), then embedded through the {@link CachedEmbedder}
 * (whose cache is the backend's, so entries are put before the chunks that use them), then written.
 * The store is committed every {@code commitInterval} embedded texts and at the end. A document
 * that carries its own vector becomes one chunk keyed by {@link CacheKey#ofVector}.
 *
 * <p><b>NOTE</b>: not thread-safe; the backend serialises calls.
 */
public final class Upserter {
  /** Documents per batch: a call of up to this many is all or nothing. */
  public static final int BATCH = 256;

  private final StoreWriter writer;
  private final CachedEmbedder embedder;
  private final EmbeddingCache cache;
  private final Embedder model;
  private final String storeName;

  /**
   * Creates an upserter.
   *
   * @param writer the backend's write side
   * @param embedder embeds through the backend's cache
   * @param cache the backend's cache itself (where documents' own vectors are put)
   * @param model the store's model
   * @param storeName the store, for messages
   */
  public Upserter(
      StoreWriter writer,
      CachedEmbedder embedder,
      EmbeddingCache cache,
      Embedder model,
      String storeName) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.model = Objects.requireNonNull(model, "model");
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  /**
   * Upserts documents; see {@link dev.embedstore.store.VectorStore#upsert(Iterable, TextSplitter,
   * ProgressListener)}.
   *
   * @param documents the documents
   * @param splitter the splitter, or null
   * @param listener progress, or null
   * @param commitInterval texts embedded between commits
   * @return what happened
   * @throws IOException as {@link StoreWriter#upsertFailed} makes it
   */
  public UpsertResult upsert(
      Iterable<? extends Document> documents,
      TextSplitter splitter,
      ProgressListener listener,
      int commitInterval)
      throws IOException {
    Objects.requireNonNull(documents, "documents");
    long t0 = System.nanoTime();
    Counts c = new Counts();
    try {
      List<Document> batch = new ArrayList<>(BATCH);
      Iterator<? extends Document> it = documents.iterator();
      long index = 0;
      while (true) {
        boolean more = it.hasNext();
        if (more) {
          Document d = it.next();
          if (d == null) {
            throw new NullPointerException("documents[" + index + "]");
          }
          index++;
          batch.add(d);
        }
        if (batch.size() == BATCH || (!more && !batch.isEmpty())) {
          batch(batch, splitter, c, commitInterval);
          c.written += batch.size();
          batch.clear();
          if (listener != null) {
            listener.progress(c.documents, c.embedded, c.cacheHits);
          }
        }
        if (!more) {
          break;
        }
      }
      writer.commit();
    } catch (IOException | RuntimeException e) {
      throw writer.upsertFailed(e, c.written);
    }
    return new UpsertResult(
        c.documents,
        c.added,
        c.updated,
        c.unchanged,
        c.chunks,
        c.embedded,
        c.cacheHits,
        c.truncated,
        System.nanoTime() - t0);
  }

  private static final class Counts {
    long written;
    long documents;
    long added;
    long updated;
    long unchanged;
    long chunks;
    long embedded;
    long cacheHits;
    long truncated;
    long sinceCommit;
  }

  private record Planned(Document doc, String digest, boolean replaces, List<String> chunkTexts) {}

  private void batch(List<Document> batch, TextSplitter splitter, Counts c, int commitInterval)
      throws IOException {
    Map<String, Document> byId = new LinkedHashMap<>();
    for (Document d : batch) {
      byId.remove(d.id());
      byId.put(d.id(), d);
    }
    c.documents += batch.size();
    c.unchanged += batch.size() - byId.size();
    Map<String, String> stored = writer.digests(byId.keySet());
    List<Planned> plan = new ArrayList<>();
    Map<String, String> newTypes = new HashMap<>();
    for (Document d : byId.values()) {
      String digest = DocumentDigest.of(d, splitter);
      String before = stored.get(d.id());
      if (digest.equals(before)) {
        c.unchanged++;
        continue;
      }
      check(d, newTypes);
      plan.add(new Planned(d, digest, before != null, chunkTexts(d, splitter)));
    }
    if (plan.isEmpty()) {
      return;
    }

    // Texts the model (or the cache) embeds, and vectors the documents brought.
    List<String> texts = new ArrayList<>();
    List<CacheEntry> own = new ArrayList<>();
    for (Planned p : plan) {
      if (p.doc().vector() == null) {
        for (String chunk : p.chunkTexts()) {
          texts.add(embeddedText(p.doc().title(), chunk));
        }
      } else {
        float[] v = p.doc().vector();
        own.add(
            new CacheEntry(
                CacheKey.ofVector(model.fingerprint(), v), model.fingerprint(), Role.DOCUMENT, v));
      }
    }
    CachedEmbedder.Outcome out =
        texts.isEmpty() ? null : embedder.lookupOrEmbed(texts, Role.DOCUMENT);
    putMissing(own);

    List<PreparedDocument> prepared = new ArrayList<>(plan.size());
    int at = 0;
    int ownAt = 0;
    for (Planned p : plan) {
      List<PreparedDocument.Chunk> chunks = new ArrayList<>(p.chunkTexts().size());
      if (p.doc().vector() == null) {
        for (String text : p.chunkTexts()) {
          chunks.add(new PreparedDocument.Chunk(text, out.keys().get(at), out.vectors().get(at)));
          at++;
        }
      } else {
        CacheEntry e = own.get(ownAt++);
        chunks.add(new PreparedDocument.Chunk(p.doc().text(), e.key(), e.vector()));
      }
      prepared.add(new PreparedDocument(p.doc(), p.digest(), p.replaces(), chunks));
      c.chunks += chunks.size();
      if (p.replaces()) {
        c.updated++;
      } else {
        c.added++;
      }
    }
    writer.write(prepared, newTypes);
    if (out != null) {
      c.embedded += out.embedded();
      c.cacheHits += out.hits();
      c.truncated += out.truncated();
      c.sinceCommit += out.embedded();
    }
    if (c.sinceCommit >= commitInterval) {
      writer.commit();
      c.sinceCommit = 0;
    }
  }

  /** Puts the documents' own vectors that the cache lacks (an identical vector has one key). */
  private void putMissing(List<CacheEntry> own) throws IOException {
    if (own.isEmpty()) {
      return;
    }
    List<CacheKey> keys = new ArrayList<>(own.size());
    for (CacheEntry e : own) {
      keys.add(e.key());
    }
    float[][] present = cache.getAll(keys);
    Map<CacheKey, CacheEntry> missing = new LinkedHashMap<>();
    for (int i = 0; i < present.length; i++) {
      if (present[i] == null) {
        missing.putIfAbsent(own.get(i).key(), own.get(i));
      }
    }
    if (!missing.isEmpty()) {
      cache.putAll(missing.values());
    }
  }

  /**
   * Checks a document as {@link #upsert} will: its vector, the backend's limits, and its metadata
   * types against the store's and the pending ones.
   *
   * @param d the document
   * @param pending metadata types first seen in documents checked before it, not yet stored; the
   *     document's new fields are added
   * @throws IllegalArgumentException naming the document and the reason
   */
  public void check(Document d, Map<String, String> pending) {
    checkVector(d);
    writer.checkStorable(d);
    MetadataTypes.check(d, writer.metadataTypes(), pending);
  }

  private void checkVector(Document d) {
    if (d.vector() != null) {
      Vectors.checkDimension(
          "document " + MetadataTypes.abbreviate(d.id()) + "'s vector",
          d.vector(),
          model.dimension(),
          model.modelName());
      try {
        Vectors.unitLength(d.vector());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "document " + MetadataTypes.abbreviate(d.id()) + ": " + e.getMessage(), e);
      }
    } else if (model instanceof ExternalModel) {
      throw new IllegalArgumentException(
          "document "
              + MetadataTypes.abbreviate(d.id())
              + " has no vector, and store "
              + storeName
              + " cannot embed: it holds vectors of external model "
              + model.modelName()
              + "; give each document its vector (Document.withVector)");
    }
  }

  /**
   * The text a model embeds for a chunk: {@code title + " " + chunk} when there is a title.
   *
   * @param title the title, or null
   * @param chunk the chunk's text
   * @return the text to embed
   */
  public static String embeddedText(String title, String chunk) {
    return title == null || title.isEmpty() ? chunk : title + " " + chunk;
  }

  private static List<String> chunkTexts(Document d, TextSplitter splitter) {
    if (splitter == null || d.vector() != null) {
      return List.of(d.text());
    }
    List<String> out = new ArrayList<>();
    for (TextSplitter.Chunk ch : splitter.split(d.text())) {
      out.add(ch.text());
    }
    if (out.isEmpty()) {
      out.add(d.text());
    }
    return out;
  }
}
