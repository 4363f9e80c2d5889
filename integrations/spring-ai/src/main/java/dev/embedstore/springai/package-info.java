/**
 * Embedstore for Spring AI: a persistent {@code VectorStore}, the bundled ONNX models as a cached
 * {@code EmbeddingModel}, and a Spring Boot auto-configuration.
 *
 * <pre>{@code
 * // application.properties: embedstore.folder=/var/lib/my-app/embedstore
 * @Autowired VectorStore vectorStore;
 *
 * vectorStore.add(List.of(new Document("Lucene is a search library.", Map.of("year", 2024))));
 * List<Document> hits = vectorStore.similaritySearch(
 *     SearchRequest.builder().query("what is lucene").topK(5).filterExpression("year >= 2020").build());
 * }</pre>
 *
 * <p>{@link dev.embedstore.springai.EmbedstoreVectorStore} adapts any Embedstore store; {@link
 * dev.embedstore.springai.EmbedstoreEmbeddingModel} embeds with a bundled model, cached; {@link
 * dev.embedstore.springai.autoconfigure.EmbedstoreAutoConfiguration} wires both from properties.
 */
package dev.embedstore.springai;
