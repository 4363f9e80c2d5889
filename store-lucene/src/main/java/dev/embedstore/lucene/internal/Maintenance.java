package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * Deletes, garbage collection of unused cache entries, and merging. Static; the store calls it
 * under its write lock.
 */
public final class Maintenance {
  private static final Query CHUNKS = new TermQuery(new Term(Fields.KIND, Fields.CHUNK));

  private Maintenance() {}

  /**
   * Deletes the documents a query matches and commits. Every chunk of a document carries its id and
   * metadata, so a filter matches all of a document's chunks or none.
   *
   * @param index the store's index
   * @param writer the store's writer side
   * @param match the documents to delete, or null for every document
   * @return documents deleted
   * @throws IOException if the index fails
   */
  public static long delete(StoreIndex index, LuceneStoreWriter writer, Query match)
      throws IOException {
    Query chunks =
        match == null
            ? CHUNKS
            : new BooleanQuery.Builder().add(match, Occur.FILTER).add(CHUNKS, Occur.FILTER).build();
    Query heads =
        new BooleanQuery.Builder()
            .add(chunks, Occur.FILTER)
            .add(LuceneStoreWriter.HEADS, Occur.FILTER)
            .build();
    long n;
    IndexSearcher s = index.acquireCurrent();
    try {
      n = s.count(heads);
    } finally {
      index.release(s);
    }
    if (n > 0) {
      index.writer().deleteDocuments(chunks);
      index.changed();
      writer.commit();
    }
    return n;
  }

  /**
   * The current model's document-vector entries that no live chunk references. Memory stays bounded
   * at a million documents: instead of a set of the referenced keys (about 100 MB of {@code
   * BytesRef}s at a million), each live chunk's {@code vkey} is looked up among the entry keys, in
   * term order, and the entry's doc id marked in a {@link FixedBitSet} of the reader's {@code
   * maxDoc} bits (250 KB at two million documents and entries); the entries left unmarked are
   * unused.
   *
   * @param reader a reader of the store as of its last commit
   * @param fp the current model
   * @return the keys of the unused entries
   * @throws IOException if the index fails
   */
  public static List<CacheKey> unusedEntries(IndexReader reader, ModelFingerprint fp)
      throws IOException {
    FixedBitSet used = new FixedBitSet(Math.max(1, reader.maxDoc()));
    List<LeafReaderContext> leaves = reader.leaves();
    TermsEnum[] keys = new TermsEnum[leaves.size()];
    for (int i = 0; i < leaves.size(); i++) {
      Terms t = leaves.get(i).reader().terms(Fields.KEY);
      keys[i] = t == null ? null : t.iterator();
    }
    PostingsEnum pe = null;
    for (LeafReaderContext leaf : leaves) {
      Terms t = leaf.reader().terms(Fields.VKEY);
      if (t == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      TermsEnum te = t.iterator();
      for (BytesRef b = te.next(); b != null; b = te.next()) {
        if (!anyLive(pe = te.postings(pe, PostingsEnum.NONE), live)) {
          continue;
        }
        for (int i = 0; i < leaves.size(); i++) {
          if (keys[i] != null && keys[i].seekExact(b)) {
            pe = keys[i].postings(pe, PostingsEnum.NONE);
            for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
              used.set(leaves.get(i).docBase + d);
            }
          }
        }
      }
    }
    java.util.Map<org.apache.lucene.index.LeafReader, Integer> bases =
        new java.util.IdentityHashMap<>();
    for (LeafReaderContext leaf : leaves) {
      bases.put(leaf.reader(), leaf.docBase);
    }
    List<CacheKey> dead = new ArrayList<>();
    CacheReads.visit(
        reader,
        fp,
        Set.of(Fields.KEY, Fields.ROLE),
        (r, doc, d) -> {
          int global = bases.get(r) + doc;
          if (EntryCodec.roleOf(d.get(Fields.ROLE)) == Role.DOCUMENT && !used.get(global)) {
            BytesRef key = d.getBinaryValue(Fields.KEY);
            dead.add(CacheKey.ofBytes(key.bytes, key.offset));
          }
          return true;
        });
    return dead;
  }

  private static boolean anyLive(PostingsEnum pe, Bits live) throws IOException {
    for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
      if (live == null || live.get(d)) {
        return true;
      }
    }
    return false;
  }
}
