package dev.embedstore.it;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.Document;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process that holds a store's write lock: opens (creating) the store in {@code args[0]}
 * with the bundled default model, adds one document, prints {@code ready}, and keeps the store open
 * until its standard input ends, so it never outlives its parent.
 */
public final class HoldStore {
  private HoldStore() {}

  /**
   * Holds the store.
   *
   * @param args the store folder
   * @throws Exception if the store cannot be opened
   */
  public static void main(String[] args) throws Exception {
    try (OnnxEmbedder model = OnnxEmbedder.open("all-minilm-l6-v2");
        LuceneVectorStore store = LuceneVectorStore.open(Path.of(args[0]), model)) {
      store.upsert(List.of(Document.of("held", "a document in a store another process holds")));
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Wait for the parent to close our standard input (or to die).
      }
    }
  }
}
