/**
 * The Lucene vector store and the Lucene embedding cache: one Lucene index holds the documents, the
 * HNSW graph and every vector the model ever produced.
 */
module dev.embedstore.lucene {
  requires transitive dev.embedstore.core;
  requires transitive org.apache.lucene.core;

  exports dev.embedstore.lucene;
}
