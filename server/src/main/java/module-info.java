/**
 * The local search service: {@link dev.embedstore.server.EmbedstoreServer} serves any {@link
 * dev.embedstore.store.VectorStore} over HTTP (a JSON API and a web page) on the JDK's built-in
 * server. {@code dev.embedstore.server.input} reads index records and filters, and {@code
 * dev.embedstore.server.json} writes JSON, for the server and the command line alike.
 */
module dev.embedstore.server {
  requires transitive dev.embedstore.core;
  requires jdk.httpserver;
  requires com.fasterxml.jackson.core;

  exports dev.embedstore.server;
  exports dev.embedstore.server.input;
  exports dev.embedstore.server.json;
}
