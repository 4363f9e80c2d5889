package dev.embedstore.lucene.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.store.Document;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader.CacheHelper;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digests an upsert compares come from {@code hash.dv}, and from the stored {@code hash} in
 * segments written before that field existed (every store made before it): both give the same.
 */
class StoredDigestsTest {
  @TempDir Path dir;

  @Test
  void docValuesAndStoredFieldsGiveTheSameDigests() throws IOException {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      docs.add(new Document("doc-" + i, "text " + i, i % 2 == 0 ? "title" : null, Map.of()));
    }
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, new FakeEmbedder("fake", 8))) {
      store.upsert(docs.subList(0, 25));
      store.commit();
      store.upsert(docs.subList(25, 50)); // a second segment
    }
    List<BytesRef> ids = new ArrayList<>();
    for (Document d : docs) {
      ids.add(new BytesRef(d.id()));
    }
    ids.add(new BytesRef("absent"));
    ids.sort(null);
    try (FSDirectory d = FSDirectory.open(dir);
        DirectoryReader reader = DirectoryReader.open(d)) {
      Map<String, String> fromValues = new HashMap<>();
      LuceneStoreWriter.storedDigests(new IndexSearcher(reader), ids, fromValues);
      Map<String, String> fromStored = new HashMap<>();
      LuceneStoreWriter.storedDigests(
          new IndexSearcher(new WithoutDigestValues(reader)), ids, fromStored);
      assertEquals(50, fromValues.size(), fromValues.keySet().toString());
      assertEquals(fromStored, fromValues);
      assertFalse(fromValues.containsKey("absent"));
    }
  }

  /** A reader whose segments look like those written before {@code hash.dv}. */
  private static final class WithoutDigestValues extends FilterDirectoryReader {
    WithoutDigestValues(DirectoryReader in) throws IOException {
      super(
          in,
          new SubReaderWrapper() {
            @Override
            public LeafReader wrap(LeafReader reader) {
              return new FilterLeafReader(reader) {
                @Override
                public BinaryDocValues getBinaryDocValues(String field) throws IOException {
                  return Fields.HASH_VALUES.equals(field) ? null : super.getBinaryDocValues(field);
                }

                @Override
                public CacheHelper getCoreCacheHelper() {
                  return null;
                }

                @Override
                public CacheHelper getReaderCacheHelper() {
                  return null;
                }
              };
            }
          });
    }

    @Override
    protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
      return new WithoutDigestValues(in);
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return null;
    }
  }
}
