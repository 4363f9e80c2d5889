/**
 * The local search service: {@link dev.embedstore.server.EmbedstoreServer} serves any {@link
 * dev.embedstore.store.VectorStore} as a JSON API under {@code /api} and a search page at {@code
 * /}.
 *
 * <pre>{@code
 * try (OnnxEmbedder model = OnnxEmbedder.bundled(BundledModel.DEFAULT);
 *     VectorStore store = LuceneVectorStore.open(Path.of("st"), model);
 *     EmbedstoreServer server = EmbedstoreServer.builder(store).port(0).build().start()) {
 *   HttpClient.newHttpClient()
 *       .send(
 *           HttpRequest.newBuilder(server.uri().resolve("/api/search?q=coffee")).build(),
 *           HttpResponse.BodyHandlers.ofString());
 * }
 * }</pre>
 */
package dev.embedstore.server;
