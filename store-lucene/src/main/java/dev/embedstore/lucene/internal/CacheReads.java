package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.ModelEntries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Reads cache entries from any point-in-time reader: the store's and the standalone cache's
 * lookups, a rebuild's old reader, checks and exports. Static; thread-safe.
 */
public final class CacheReads {
  private static final Set<String> VECTOR_ONLY = Set.of(Fields.VEC);

  private CacheReads() {}

  /** Receives the stored fields of entries from {@link #visit}. */
  @FunctionalInterface
  public interface StoredVisitor {
    /**
     * Receives one entry.
     *
     * @param reader the segment
     * @param doc the doc id in the segment
     * @param stored the requested stored fields
     * @return whether to go on
     * @throws IOException to stop with that failure
     */
    boolean visit(LeafReader reader, int doc, Document stored) throws IOException;
  }

  /**
   * Looks keys up: keys sorted, one {@code seekExact} per key and segment, vectors read in doc-id
   * order per segment (stored fields decompress whole blocks, so order matters).
   *
   * @param reader the reader
   * @param keys the keys; duplicates allowed
   * @return aligned with keys: the vector, or null when absent
   * @throws IOException if the index cannot be read
   */
  public static float[][] lookup(IndexReader reader, List<CacheKey> keys) throws IOException {
    int n = keys.size();
    float[][] out = new float[n][];
    if (n == 0) {
      return out;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> keys.get(a).compareTo(keys.get(b)));
    BytesRef[] terms = new BytesRef[n];
    for (int i = 0; i < n; i++) {
      terms[i] = new BytesRef(keys.get(i).bytes());
    }
    int[] docs = new int[n];
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      Terms t = r.terms(Fields.KEY);
      if (t == null) {
        continue;
      }
      TermsEnum te = t.iterator();
      Bits live = r.getLiveDocs();
      PostingsEnum pe = null;
      int found = 0;
      for (int i : order) {
        docs[i] = -1;
        if (out[i] != null || !te.seekExact(terms[i])) {
          continue;
        }
        pe = te.postings(pe, PostingsEnum.NONE);
        for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
          if (live == null || live.get(d)) {
            docs[i] = d;
            found++;
            break;
          }
        }
      }
      if (found == 0) {
        continue;
      }
      Integer[] byDoc = new Integer[found];
      int j = 0;
      for (int i = 0; i < n; i++) {
        if (out[i] == null && docs[i] >= 0) {
          byDoc[j++] = i;
        }
      }
      Arrays.sort(byDoc, 0, j, (a, b) -> Integer.compare(docs[a], docs[b]));
      StoredFields stored = r.storedFields();
      for (int k = 0; k < j; k++) {
        int i = byDoc[k];
        out[i] =
            EntryCodec.decode(stored.document(docs[i], VECTOR_ONLY).getBinaryValue(Fields.VEC));
      }
    }
    return out;
  }

  /**
   * Visits the live entries of one model in doc-id order until the visitor returns false.
   *
   * @param reader the reader
   * @param fp the model's fingerprint
   * @param fields the stored fields to read
   * @param v the visitor
   * @throws IOException if the index cannot be read, or the visitor throws it
   */
  public static void visit(
      IndexReader reader, ModelFingerprint fp, Set<String> fields, StoredVisitor v)
      throws IOException {
    BytesRef term = new BytesRef(fp.hex());
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      Terms t = r.terms(Fields.FP);
      if (t == null) {
        continue;
      }
      TermsEnum te = t.iterator();
      if (!te.seekExact(term)) {
        continue;
      }
      PostingsEnum pe = te.postings(null, PostingsEnum.NONE);
      Bits live = r.getLiveDocs();
      StoredFields stored = r.storedFields();
      for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
        if ((live == null || live.get(d)) && !v.visit(r, d, stored.document(d, fields))) {
          return;
        }
      }
    }
  }

  /**
   * The dimension of a model's first live entry.
   *
   * @param reader the reader
   * @param fp the model's fingerprint
   * @return the dimension, or 0 when the model has no live entry
   * @throws IOException if the index cannot be read
   */
  public static int dimensionOf(IndexReader reader, ModelFingerprint fp) throws IOException {
    int[] dim = {0};
    visit(
        reader,
        fp,
        VECTOR_ONLY,
        (r, doc, d) -> {
          dim[0] = d.getBinaryValue(Fields.VEC).length / Float.BYTES;
          return false;
        });
    return dim[0];
  }

  /**
   * Every fingerprint with a term in the index (some may have only deleted entries).
   *
   * @param reader the reader
   * @return the fingerprints
   * @throws IOException if the index cannot be read
   */
  public static Set<ModelFingerprint> fingerprints(IndexReader reader) throws IOException {
    Set<ModelFingerprint> out = new HashSet<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      Terms t = leaf.reader().terms(Fields.FP);
      if (t != null) {
        TermsEnum te = t.iterator();
        for (BytesRef b = te.next(); b != null; b = te.next()) {
          out.add(ModelFingerprint.ofHex(b.utf8ToString()));
        }
      }
    }
    return out;
  }

  /**
   * The live entries of each model, most first.
   *
   * @param reader the reader
   * @return one line per model with a live entry
   * @throws IOException if the index cannot be read
   */
  public static List<ModelEntries> entriesByModel(IndexReader reader) throws IOException {
    IndexSearcher s = new IndexSearcher(reader);
    List<ModelEntries> out = new ArrayList<>();
    for (ModelFingerprint fp : fingerprints(reader)) {
      long total = s.count(EntryCodec.entriesOf(fp));
      if (total == 0) {
        continue;
      }
      long queries = s.count(EntryCodec.entriesOf(fp, Role.QUERY));
      out.add(new ModelEntries(fp, total - queries, queries, dimensionOf(reader, fp)));
    }
    out.sort((a, b) -> Long.compare(b.entries(), a.entries()));
    return out;
  }

  /**
   * The live entries of every model and the bytes their keys and vectors take.
   *
   * @param reader the reader
   * @return {entries, bytes}
   * @throws IOException if the index cannot be read
   */
  public static long[] size(IndexReader reader) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    long entries = 0;
    long bytes = 0;
    for (ModelFingerprint fp : fingerprints(reader)) {
      long n = searcher.count(EntryCodec.entriesOf(fp));
      entries += n;
      bytes += n * (CacheKey.BYTES + (long) dimensionOf(reader, fp) * Float.BYTES);
    }
    return new long[] {entries, bytes};
  }
}
