package dev.embedstore.bench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.npy.NpyReader;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The floor under a whole-process re-create: a bare program, no Embedstore, that reads the same
 * JSON lines, takes a vector per document from a {@code .npy} file (the exported cache: no model),
 * writes each as an id, an analysed stored text and an HNSW vector into a new Lucene index and
 * commits. Whatever a JVM process that writes these documents to Lucene must pay (start, class
 * loading, code that is still interpreted or freshly compiled) and nothing else: what {@code
 * WholeProcessReport} times next to Embedstore's re-create.
 *
 * <p>{@code LuceneFloor INDEX DOCS.jsonl VECTORS.npy}; prints {@code {"documents": n, "seconds":
 * s}} (the seconds inside {@code main}).
 */
@SuppressForbidden(reason = "a benchmark program: its result is its standard output")
public final class LuceneFloor {
  private LuceneFloor() {}

  /**
   * Writes the index.
   *
   * @param args the new index's folder, the documents, the vectors
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    int n = 0;
    JsonFactory json = new JsonFactory();
    try (Directory dir = FSDirectory.open(Path.of(args[0]));
        IndexWriter writer =
            new IndexWriter(
                dir, new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE));
        BufferedReader lines = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8);
        NpyReader vectors = NpyReader.open(Path.of(args[2]))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        String id = null;
        String text = null;
        try (JsonParser p = json.createParser(line)) {
          for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              if ("id".equals(name)) {
                id = p.getValueAsString();
              } else if ("text".equals(name)) {
                text = p.getValueAsString();
              }
            }
          }
        }
        float[] v = vectors.next();
        if (v == null) {
          break; // fewer vectors than documents: the rest has none to write
        }
        Document doc = new Document();
        doc.add(new StringField("id", id, Field.Store.YES));
        doc.add(new TextField("text", text, Field.Store.YES));
        doc.add(new KnnFloatVectorField("vector", v, VectorSimilarityFunction.DOT_PRODUCT));
        writer.addDocument(doc);
        n++;
      }
      writer.commit();
    }
    System.out.printf(
        Locale.ROOT, "{\"documents\": %d, \"seconds\": %.6f}%n", n, (System.nanoTime() - t0) / 1e9);
  }
}
