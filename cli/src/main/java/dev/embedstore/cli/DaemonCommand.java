package dev.embedstore.cli;

import dev.embedstore.cli.daemon.DaemonControl;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code embedstore daemon status|stop}: the background processes that keep the tool's code warm
 * between commands (see {@code dev.embedstore.cli.daemon.DaemonClient}).
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Show or stop the background processes that run commands in a warm JVM.",
      "Commands start one when none runs; it ends after EMBEDSTORE_DAEMON_IDLE seconds idle"
          + " (default 900). EMBEDSTORE_DAEMON=false runs every command in a JVM of its own."
    })
final class DaemonCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "status|stop",
      defaultValue = "status",
      description = "status (default): one line per process; stop: end them all.")
  String action;

  @Override
  public Integer call() throws Exception {
    int n =
        switch (action) {
          case "status" -> DaemonControl.status(Terminal.out());
          case "stop" -> DaemonControl.stop(Terminal.out());
          default -> throw CliException.usage("daemon takes status or stop, not " + action);
        };
    if (n == 0) {
      Terminal.err().println("no background process runs (" + DaemonControl.folder() + ")");
    }
    return 0;
  }
}
