/**
 * The ONNX Runtime embedder: a pure-Java BERT tokenizer, batched inference, pooling, and the
 * bundled models.
 */
module dev.embedstore.onnx {
  requires transitive dev.embedstore.core;
  requires com.microsoft.onnxruntime;
  requires com.fasterxml.jackson.core;

  exports dev.embedstore.onnx;
}
