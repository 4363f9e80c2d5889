/** The Lucene vector store and the Lucene embedding cache. */
module dev.embedstore.lucene {
  requires transitive dev.embedstore.core;
}
