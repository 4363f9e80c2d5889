package dev.embedstore.compat;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Role;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * Writes a small Embedstore store (format 1) with Lucene 9.12 and zips it: 40 documents about five
 * topics, metadata {@code year} (long) and {@code tag} (string), each chunk's vector cached, all
 * made by the test fake model {@code FakeEmbedder("lucene9-fixture", 16)}, so the test can check
 * them bit for bit. Two commits, so the fixture has two segments (one with a deleted document).
 *
 * <p>The field layout is the one store-lucene writes (see docs/architecture.md), spelled out here
 * with Lucene 9 classes on purpose: this is what an Embedstore store written by an older Lucene
 * looks like, whatever the current code does. Chunk ids have no doc values here, as in stores
 * written before they were added.
 */
public final class WriteLucene9Store {
  /** The fixture's model. */
  static final FakeEmbedder MODEL = new FakeEmbedder("lucene9-fixture", 16);

  private WriteLucene9Store() {}

  /**
   * Writes the fixture.
   *
   * @param args the zip file to write
   * @throws IOException if it cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path zip = Path.of(args[0]);
    Path folder = Files.createTempDirectory("lucene9-store");
    IndexWriterConfig iwc = new IndexWriterConfig(new StandardAnalyzer());
    try (Directory dir = FSDirectory.open(folder);
        IndexWriter w = new IndexWriter(dir, iwc)) {
      for (int i = 0; i < 40; i++) {
        String text = "fixture document " + i + " about " + topic(i);
        w.addDocument(entry(text));
        w.updateDocuments(new org.apache.lucene.index.Term("id", "d" + i), List.of(chunk(i, text)));
        if (i == 19) {
          w.setLiveCommitData(userData().entrySet());
          w.commit();
        }
      }
      w.deleteDocuments(new org.apache.lucene.index.Term("id", "d7"));
      w.setLiveCommitData(userData().entrySet());
      w.commit();
    }
    Files.createDirectories(zip.toAbsolutePath().getParent());
    try (OutputStream os = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(os);
        var files = Files.list(folder)) {
      for (Path f : files.sorted().toList()) {
        if (f.getFileName().toString().equals("write.lock")) {
          continue;
        }
        z.putNextEntry(new ZipEntry(f.getFileName().toString()));
        Files.copy(f, z);
        z.closeEntry();
      }
    }
    try (var files = Files.list(folder)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(folder);
  }

  static String topic(int i) {
    return List.of("tides", "bread", "glaciers", "chess", "comets").get(i % 5);
  }

  private static Document entry(String text) {
    float[] v = MODEL.embed(List.of(text), Role.DOCUMENT).get(0);
    Document d = new Document();
    d.add(new StringField("kind", "entry", Field.Store.NO));
    d.add(new StringField("key", new BytesRef(key(text).bytes()), Field.Store.YES));
    d.add(new StringField("fp", MODEL.fingerprint().hex(), Field.Store.YES));
    d.add(new StringField("role", "D", Field.Store.YES));
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    d.add(new StoredField("vec", b.array()));
    return d;
  }

  private static CacheKey key(String text) {
    return CacheKey.of(MODEL.fingerprint(), "", Role.DOCUMENT, text);
  }

  private static Document chunk(int i, String text) {
    float[] v = MODEL.embed(List.of(text), Role.DOCUMENT).get(0);
    Document d = new Document();
    d.add(new StringField("kind", "chunk", Field.Store.NO));
    d.add(new StringField("id", "d" + i, Field.Store.YES));
    d.add(new StoredField("ord", 0));
    d.add(new StoredField("nchunks", 1));
    d.add(new TextField("text", text, Field.Store.YES));
    d.add(new StringField("vkey", new BytesRef(key(text).bytes()), Field.Store.YES));
    d.add(new StoredField("hash", HexFormat.of().formatHex(key("hash " + text).bytes())));
    d.add(new StringField("head", "1", Field.Store.NO));
    d.add(new LongField("m.year", 2000 + i, Field.Store.YES));
    d.add(new StringField("m.tag", topic(i), Field.Store.YES));
    d.add(new KnnFloatVectorField("vector", v, VectorSimilarityFunction.DOT_PRODUCT));
    return d;
  }

  private static Map<String, String> userData() {
    Map<String, String> ud = new TreeMap<>();
    ud.put("embedstore.format", "1");
    ud.put("embedstore.fingerprint", MODEL.fingerprint().hex());
    ud.put("embedstore.model", MODEL.modelName());
    ud.put("embedstore.dimension", "16");
    ud.put("embedstore.similarity", "DOT_PRODUCT");
    ud.put("embedstore.hnsw.m", "16");
    ud.put("embedstore.hnsw.beam_width", "100");
    ud.put("embedstore.quantization", "NONE");
    ud.put("embedstore.schema", "string\ttag\nlong\tyear\n");
    ud.put("embedstore.library_version", "0.0.0-lucene9-fixture");
    return ud;
  }
}
