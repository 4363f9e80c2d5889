package dev.embedstore.lucene;

import dev.embedstore.embed.Embedder;
import dev.embedstore.store.VectorStore;
import dev.embedstore.testing.BaseVectorStoreTestCase;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LuceneVectorStore} against the store contract: each named store is a folder. */
class LuceneVectorStoreContractTest extends BaseVectorStoreTestCase {
  @TempDir Path dir;

  @Override
  protected VectorStore openStore(String name, Embedder model) throws IOException {
    return LuceneVectorStore.open(dir.resolve(name), model);
  }
}
