/** The ONNX Runtime embedder and the bundled models. */
module dev.embedstore.onnx {
  requires transitive dev.embedstore.core;
}
