/**
 * Embeds texts in-process with ONNX Runtime: the bundled models, model folders, and the pure-Java
 * BERT tokenizer that feeds them. Each bundled model is an artifact of its own that the application
 * adds ({@link dev.embedstore.onnx.BundledModel#coordinates()}); this one holds none.
 *
 * <pre>{@code
 * try (OnnxEmbedder embedder = OnnxEmbedder.open("all-minilm-l6-v2")) {
 *   float[] query = embedder.embed("how are vectors cached?", Role.QUERY);
 *   System.out.println(embedder.fingerprint().shortId() + " " + query.length);
 * }
 * }</pre>
 */
package dev.embedstore.onnx;
