/** The {@code embedstore} command. */
module dev.embedstore.cli {
  requires dev.embedstore.core;
  requires dev.embedstore.onnx;
  requires dev.embedstore.lucene;
  requires dev.embedstore.solr;
  requires dev.embedstore.server;
  requires info.picocli;
  requires java.logging;
  requires com.fasterxml.jackson.core;

  // picocli reads the command classes reflectively.
  opens dev.embedstore.cli to
      info.picocli;
}
