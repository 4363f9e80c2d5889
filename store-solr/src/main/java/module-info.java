/**
 * The Solr store and the Solr embedding cache: a SolrCloud collection holds the documents, their
 * HNSW vectors and every vector the model ever produced. Talks to Solr over HTTP with SolrJ only.
 */
module dev.embedstore.solr {
  requires transitive dev.embedstore.core;
  requires solr.solrj;

  exports dev.embedstore.solr;
}
