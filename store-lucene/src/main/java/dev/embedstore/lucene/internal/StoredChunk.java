package dev.embedstore.lucene.internal;

import dev.embedstore.store.spi.Vectors;
import java.util.Map;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * One stored chunk of a document, as written to and read back from the index.
 *
 * @param id the document id
 * @param ordinal the chunk's position in the document
 * @param chunks the document's chunk count
 * @param text the chunk's text
 * @param title the document's title, or null
 * @param source the document's whole text when it has several chunks (kept on chunk 0), else null
 * @param vkey the 32-byte cache key of the chunk's vector
 * @param hash the document's content digest
 * @param metadata the document's metadata
 */
public record StoredChunk(
    String id,
    int ordinal,
    int chunks,
    String text,
    String title,
    String source,
    byte[] vkey,
    String hash,
    Map<String, Object> metadata) {

  /**
   * This chunk with another vector key (after re-embedding).
   *
   * @param key the 32-byte key
   * @return a new chunk
   */
  public StoredChunk withKey(byte[] key) {
    return new StoredChunk(id, ordinal, chunks, text, title, source, key, hash, metadata);
  }

  /**
   * The Lucene document of this chunk.
   *
   * @param vector the chunk's vector as cached; the HNSW field gets its unit-length form
   * @return the document
   */
  public Document toLucene(float[] vector) {
    Document doc = new Document();
    doc.add(new StringField(Fields.KIND, Fields.CHUNK, Field.Store.NO));
    doc.add(new StringField(Fields.ID, id, Field.Store.YES));
    doc.add(new SortedDocValuesField(Fields.ID_VALUES, new BytesRef(id)));
    doc.add(new StoredField(Fields.ORDINAL, ordinal));
    doc.add(new StoredField(Fields.CHUNKS, chunks));
    doc.add(new TextField(Fields.TEXT, text, Field.Store.YES));
    if (title != null) {
      doc.add(new TextField(Fields.TITLE, title, Field.Store.YES));
    }
    doc.add(new StringField(Fields.VKEY, new BytesRef(vkey), Field.Store.YES));
    doc.add(new StoredField(Fields.HASH, hash));
    doc.add(new BinaryDocValuesField(Fields.HASH_VALUES, new BytesRef(hash)));
    if (ordinal == 0) {
      doc.add(new StringField(Fields.HEAD, "1", Field.Store.NO));
      if (source != null) {
        doc.add(new StoredField(Fields.SOURCE, source));
      }
    }
    MetadataSchema.addFields(doc, metadata);
    doc.add(
        new KnnFloatVectorField(
            Fields.VECTOR, Vectors.unitLength(vector), VectorSimilarityFunction.DOT_PRODUCT));
    return doc;
  }

  /**
   * Reads a chunk back from its stored fields.
   *
   * @param d the stored fields
   * @return the chunk
   */
  public static StoredChunk of(Document d) {
    BytesRef key = d.getBinaryValue(Fields.VKEY);
    byte[] vkey = new byte[key.length];
    System.arraycopy(key.bytes, key.offset, vkey, 0, key.length);
    return new StoredChunk(
        d.get(Fields.ID),
        d.getField(Fields.ORDINAL).numericValue().intValue(),
        d.getField(Fields.CHUNKS).numericValue().intValue(),
        d.get(Fields.TEXT),
        d.get(Fields.TITLE),
        d.get(Fields.SOURCE),
        vkey,
        d.get(Fields.HASH),
        MetadataSchema.read(d));
  }
}
