package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.StoreConfig;
import dev.embedstore.store.spi.Upserter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexUpgrader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * Re-creating a store's index in place: a rebuild with other vector-index settings and a migration
 * to another model (both from a point-in-time reader of the old index, in one commit), and the
 * upgrade of segments written by an older Lucene. Static; the store calls it with every other call
 * shut out.
 */
public final class Rewriter {
  private static final int READD_BATCH = 512;

  private Rewriter() {}

  /**
   * Re-adds every live entry and chunk with the new vector format: each chunk's vector from its
   * cache entry ({@code sameModel}), or embedded anew through the cache (a migration, or an entry
   * that was removed). Commits once at the end; on failure the index is rolled back to its last
   * commit and abandoned (the store must be reopened).
   *
   * @param index the store's index
   * @param writer the store's writer side (its commit path)
   * @param embedder embeds through the store's cache
   * @param newConfig the new settings, already recorded for the commit
   * @param sameModel whether the vectors in the cache are the store model's
   * @return texts the model embedded
   * @throws IOException if the index or the model fails
   */
  public static long rewrite(
      StoreIndex index,
      LuceneStoreWriter writer,
      CachedEmbedder embedder,
      StoreConfig newConfig,
      boolean sameModel)
      throws IOException {
    long embeddedBefore = embedder.stats().embedded();
    try {
      writer.commit();
      IndexWriter w = index.writer();
      try (DirectoryReader old = DirectoryReader.open(w)) {
        index.codec().setVectorsFormat(WriterConfigs.format(newConfig));
        w.deleteAll();
        for (LeafReaderContext leaf : old.leaves()) {
          LeafReader r = leaf.reader();
          Bits live = r.getLiveDocs();
          StoredFields stored = r.storedFields();
          List<StoredChunk> pending = new ArrayList<>();
          for (int d = 0; d < r.maxDoc(); d++) {
            if (live != null && !live.get(d)) {
              continue;
            }
            org.apache.lucene.document.Document doc = stored.document(d);
            if (doc.getField(Fields.VEC) != null) {
              w.addDocument(EntryCodec.copy(doc));
            } else if (doc.get(Fields.ID) != null) {
              pending.add(StoredChunk.of(doc));
              if (pending.size() == READD_BATCH) {
                readd(w, old, embedder, pending, sameModel);
                pending.clear();
              }
            }
          }
          readd(w, old, embedder, pending, sameModel);
        }
        index.changed();
        writer.forceCommit();
      }
      return embedder.stats().embedded() - embeddedBefore;
    } catch (IOException | RuntimeException e) {
      // The old documents were deleted in the writer: drop everything back to the last commit.
      writer.forget();
      index.abandon(e);
      throw e;
    }
  }

  /** Re-adds chunks with their cached vectors, read from the old reader (or embedded). */
  private static void readd(
      IndexWriter w,
      DirectoryReader old,
      CachedEmbedder embedder,
      List<StoredChunk> chunks,
      boolean sameModel)
      throws IOException {
    if (chunks.isEmpty()) {
      return;
    }
    float[][] vectors;
    if (sameModel) {
      List<CacheKey> keys = new ArrayList<>(chunks.size());
      for (StoredChunk c : chunks) {
        keys.add(CacheKey.ofBytes(c.vkey(), 0));
      }
      vectors = CacheReads.lookup(old, keys);
    } else {
      vectors = new float[chunks.size()][];
    }
    List<String> missingTexts = new ArrayList<>();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      if (vectors[i] == null) {
        missing.add(i);
        missingTexts.add(Upserter.embeddedText(chunks.get(i).title(), chunks.get(i).text()));
      }
    }
    List<byte[]> newKeys = new ArrayList<>();
    if (!missing.isEmpty()) {
      CachedEmbedder.Outcome out = embedder.lookupOrEmbed(missingTexts, Role.DOCUMENT);
      for (int j = 0; j < missing.size(); j++) {
        vectors[missing.get(j)] = out.vectors().get(j);
        newKeys.add(out.keys().get(j).bytes());
      }
    }
    for (int i = 0, j = 0; i < chunks.size(); i++) {
      StoredChunk c = chunks.get(i);
      if (j < missing.size() && missing.get(j) == i) {
        c = c.withKey(newKeys.get(j++));
      }
      w.addDocument(c.toLucene(vectors[i]));
    }
  }

  /**
   * Rewrites every segment written by an older Lucene version with the current codec, in place,
   * keeping the store's vector settings. Needs no model.
   *
   * @param folder the store
   * @throws IOException if the store is locked or cannot be rewritten
   */
  public static void upgrade(Path folder) throws IOException {
    try (Directory dir = FSDirectory.open(folder)) {
      Map<String, String> ud = CommitData.read(dir, folder.toString());
      new IndexUpgrader(dir, WriterConfigs.forExisting(ud).config(), false).upgrade();
    }
  }
}
