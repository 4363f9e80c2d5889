/**
 * Embedders: what turns texts into vectors, and the fingerprint that says which vectors a model
 * makes.
 *
 * <pre>{@code
 * try (Embedder embedder = OnnxEmbedder.bundled("all-minilm-l6-v2")) {   // from embedstore-onnx-embedder
 *   List<float[]> vectors = embedder.embed(List.of("first text", "second text"), Role.DOCUMENT);
 *   System.out.println(embedder.fingerprint().shortId() + " " + vectors.get(0).length);
 * }
 * }</pre>
 */
package dev.embedstore.embed;
