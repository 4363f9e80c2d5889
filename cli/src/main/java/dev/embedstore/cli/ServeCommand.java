package dev.embedstore.cli;

import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.EmbedstoreServer;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embedstore serve}: the store as a local search service and web page, until SIGINT or
 * SIGTERM. It holds the store's write lock unless {@code --read-only}.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a store: a search page at / and a JSON API under /api (see docs/serve.md).",
      "Runs until Ctrl-C or SIGTERM; holds the store's write lock unless --read-only."
    })
final class ServeCommand implements Callable<Integer> {
  /** Seconds a client has to send a request's headers and body (the JDK server's maxReqTime). */
  static final String MAX_REQUEST_SECONDS = "60";

  @Mixin StoreOptions store;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "The address to listen on (default 127.0.0.1). Any other needs --token.")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "PORT",
      description = "The port (default 8080; 0 picks a free one).")
  int port;

  @Option(
      names = "--token",
      paramLabel = "T",
      description =
          "Every /api request must send Authorization: Bearer T. Default: the EMBEDSTORE_TOKEN"
              + " environment variable, if set (a command line is visible to other users).")
  String token;

  @Option(
      names = "--read-only",
      description = "Refuse writes (403); opens the store without its write lock.")
  boolean readOnly;

  @Option(
      names = "--cors",
      paramLabel = "ORIGIN",
      description = "Let pages of this one origin call the API (default: no CORS).")
  String cors;

  @Option(
      names = "--max-body",
      paramLabel = "SIZE",
      defaultValue = "16m",
      description = "The largest request body, in bytes or with k, m, g (default 16m).")
  String maxBody;

  @Override
  public Integer call() throws Exception {
    long limit = parseSize(maxBody);
    if (port < 0 || port > 65535) {
      throw CliException.usage("--port must be 0 to 65535; got " + port);
    }
    String t = token != null ? token : System.getenv("EMBEDSTORE_TOKEN");
    if (t != null && t.isEmpty()) {
      t = null;
    }
    EmbedstoreServer.checkHost(host, t != null); // before the store and the model are opened
    store.requireStore();
    // Read once, when the JDK's HTTP server first loads: a client that trickles its request in
    // is cut off. The response side has no limit (adding documents may take minutes).
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    }
    long t0 = System.nanoTime();
    OnnxEmbedder model = store.openModel();
    VectorStore s = null;
    EmbedstoreServer server = null;
    try {
      s = readOnly ? store.openForSearch(model) : store.open(model);
      server =
          EmbedstoreServer.builder(s)
              .host(host)
              .port(port)
              .token(t)
              .readOnly(readOnly)
              .corsOrigin(cors)
              .maxBodyBytes(limit)
              .build();
      warmUp(s);
      server.start();
      warmUpHttp(server, t);
    } catch (Exception e) {
      if (server != null) {
        server.close();
      }
      if (s != null) {
        s.close();
      }
      model.close();
      throw e;
    }
    Terminal.err()
        .printf(
            Locale.ROOT,
            "serving %s (%d documents%s%s) in %.1f s; Ctrl-C stops%n",
            store.store,
            s.count(),
            readOnly ? ", read-only" : "",
            t != null ? ", token required" : "",
            (System.nanoTime() - t0) / 1e9);
    Terminal.out().println(server.uri());
    Terminal.out().flush();

    CountDownLatch stopped = new CountDownLatch(1);
    EmbedstoreServer running = server;
    VectorStore open = s;
    Thread hook =
        new Thread(
            () -> {
              try {
                running.close();
                open.close();
                model.close();
              } catch (Exception e) {
                Terminal.err().println("error: closing the store failed: " + Main.describe(e));
              } finally {
                stopped.countDown();
              }
            },
            "embedstore-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    return 0;
  }

  /**
   * Runs a search in each mode the store serves before the URL is printed: the model's session, the
   * index's readers and the JIT warm up here rather than in the first user's request.
   */
  private static void warmUp(VectorStore s) throws IOException {
    for (SearchMode m : s.searchModes()) {
      s.search(new SearchRequest("warm up", 1, m, null, SearchRequest.DEFAULT_OVERSAMPLE));
    }
  }

  /**
   * Sends one search through the server itself, so that the HTTP path (the exchange, the JSON
   * writer, the virtual threads) is loaded before the first client's request rather than during it.
   * A failure here is only a slower first request.
   */
  private static void warmUpHttp(EmbedstoreServer server, String token) {
    try {
      URI uri = server.uri();
      InetAddress address = InetAddress.getByName(uri.getHost());
      String host = address.isAnyLocalAddress() ? "127.0.0.1" : uri.getHost();
      URI search = new URI("http", null, host, server.port(), "/api/search", "q=warm+up&k=1", null);
      HttpURLConnection c = (HttpURLConnection) search.toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(30000);
      if (token != null) {
        c.setRequestProperty("Authorization", "Bearer " + token);
      }
      try (InputStream in = c.getInputStream()) {
        in.readAllBytes();
      }
      c.disconnect();
    } catch (IOException | URISyntaxException e) {
      // Not worth failing the start for: the first real request warms the same path.
    }
  }

  /** Parses {@code 16m}, {@code 512k}, {@code 1g} or a number of bytes. */
  static long parseSize(String s) throws CliException {
    String v = s.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
      unit =
          switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            default -> 1L << 30;
          };
      v = v.substring(0, v.length() - 1);
    }
    try {
      long n = Long.parseLong(v);
      if (n < 1 || n > Long.MAX_VALUE / unit) {
        throw CliException.usage("--max-body must be at least 1 byte and fit in 8 EiB; got " + s);
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw CliException.usage("--max-body takes a size such as 16m, 512k or 1000000; got " + s);
    }
  }
}
