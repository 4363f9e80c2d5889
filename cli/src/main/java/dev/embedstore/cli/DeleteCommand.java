package dev.embedstore.cli;

import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.VectorStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embedstore delete}: removes documents; their vectors stay cached. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete documents by id (their vectors stay in the cache).")
final class DeleteCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "ID")
  List<String> ids;

  @Mixin StoreOptions store;

  @Option(names = "--json", description = "Print {\"deleted\": N} on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    store.requireStore();
    try (OnnxEmbedder model = store.openModel();
        VectorStore s = store.open(model)) {
      long n = s.delete(ids);
      if (json) {
        Json.writeLine(Terminal.out(), Map.of("deleted", n));
      } else {
        Terminal.out().println("deleted " + n + " of " + ids.size() + " documents");
      }
    }
    return 0;
  }
}
