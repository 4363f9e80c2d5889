package dev.embedstore.cli;

import dev.embedstore.store.StoreInfo;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code embedstore stats}: what a store holds, read without loading a model. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show what a store holds (no model is loaded).")
final class StatsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    store.requireStore();
    StoreInfo info = store.info();
    Map<String, Object> out = info.fields();
    if (json) {
      Json.writeLine(Terminal.out(), out);
    } else {
      out.forEach((k, v) -> Terminal.out().println(k + ": " + v));
    }
    return 0;
  }
}
