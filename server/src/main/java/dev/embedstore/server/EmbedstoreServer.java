package dev.embedstore.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.embedstore.store.VectorStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local search service over any {@link VectorStore}: a JSON API under {@code /api} and a search
 * page at {@code /}, on the JDK's built-in HTTP server with one virtual thread per exchange.
 *
 * <pre>{@code
 * try (VectorStore store = LuceneVectorStore.open(folder, model);
 *     EmbedstoreServer server = EmbedstoreServer.builder(store).port(0).build().start()) {
 *   System.out.println("open " + server.uri());
 *   ...
 * }
 * }</pre>
 *
 * <p>Safe by default: it binds to {@code 127.0.0.1}; {@link #start()} refuses a host that is not a
 * loopback address unless a token is set; with a token every {@code /api} request needs {@code
 * Authorization: Bearer TOKEN} (compared in constant time); bodies over {@link
 * Builder#maxBodyBytes} get 413 before they are read whole; read-only servers answer writes with
 * 403; no CORS header is sent unless an origin is given; the page's files come from this jar only.
 * See {@code docs/serve.md} for the API.
 *
 * <p>The store stays the caller's: {@link #close()} stops serving and leaves the store open.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
@SuppressForbidden(
    reason =
        "com.sun.net.httpserver is the supported, exported API of the jdk.httpserver module;"
            + " jdk-non-portable bans every com.sun package alike")
public final class EmbedstoreServer implements Closeable {
  /** The default limit on a request body: 16 MiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

  /** How long {@link #close()} lets running requests finish, in seconds. */
  static final int STOP_GRACE_SECONDS = 5;

  private final VectorStore store;
  private final String host;
  private final int requestedPort;
  private final byte[] tokenDigest;
  private final boolean readOnly;
  private final String corsOrigin;
  private final Api api;
  private final StaticFiles files;
  private volatile boolean stopping;
  private HttpServer server;
  private ExecutorService executor;

  private EmbedstoreServer(Builder b) {
    this.store = b.store;
    this.host = b.host;
    this.requestedPort = b.port;
    this.tokenDigest = b.token == null ? null : sha256(b.token);
    this.readOnly = b.readOnly;
    this.corsOrigin = b.corsOrigin;
    this.api = new Api(store, b.maxBodyBytes, readOnly);
    this.files = new StaticFiles();
  }

  /**
   * A builder for a server of a store.
   *
   * @param store the store to serve; the caller keeps and closes it
   * @return the builder
   */
  public static Builder builder(VectorStore store) {
    return new Builder(store);
  }

  /**
   * Binds and starts serving.
   *
   * @return this server
   * @throws IOException if the address cannot be bound (in use, unknown host)
   * @throws IllegalStateException if the server was started before
   * @throws IllegalArgumentException if the host is not a loopback address and no token is set
   */
  public synchronized EmbedstoreServer start() throws IOException {
    if (server != null || stopping) {
      throw new IllegalStateException("EmbedstoreServer was started already");
    }
    InetAddress address = checkHost(host, tokenDigest != null);
    HttpServer s = HttpServer.create(new InetSocketAddress(address, requestedPort), 0);
    executor =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("embedstore-http-", 0).factory());
    s.setExecutor(executor);
    s.createContext("/", this::handle);
    s.start();
    server = s;
    return this;
  }

  /**
   * Resolves a host to serve on, refusing one that is not a loopback address when there is no
   * token: what {@link #start()} checks, for a caller that wants to fail before opening a store.
   *
   * @param host the host name or address
   * @param hasToken whether requests will need a token
   * @return the address
   * @throws UnknownHostException if the host cannot be resolved
   * @throws IllegalArgumentException if the host is not loopback and there is no token
   */
  public static InetAddress checkHost(String host, boolean hasToken) throws UnknownHostException {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new UnknownHostException("cannot serve on host " + host + ": unknown host");
    }
    if (!address.isLoopbackAddress() && !hasToken) {
      throw new IllegalArgumentException(
          "refusing to serve on "
              + host
              + " without a token: anyone who can reach that address could read and change the"
              + " store. Give a token (--token T; clients send Authorization: Bearer T) or serve on"
              + " 127.0.0.1");
    }
    return address;
  }

  /**
   * The port the server listens on (the one chosen when it was built with port 0).
   *
   * @return the port
   * @throws IllegalStateException if not started
   */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("EmbedstoreServer is not started");
    }
    return server.getAddress().getPort();
  }

  /**
   * The page's address, such as {@code http://127.0.0.1:8080/}.
   *
   * @return the address
   */
  public URI uri() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + port() + "/");
  }

  /**
   * Stops serving: new requests get 503, running ones get up to {@value #STOP_GRACE_SECONDS} s to
   * finish. The store is left open. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (stopping) {
      return;
    }
    stopping = true;
    if (server != null) {
      server.stop(STOP_GRACE_SECONDS);
      executor.shutdown();
      try {
        executor.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      Headers out = exchange.getResponseHeaders();
      out.set("X-Content-Type-Options", "nosniff");
      out.set("Referrer-Policy", "no-referrer");
      if (path == null || !(path.equals("/api") || path.startsWith("/api/"))) {
        serveFile(exchange, path, method);
        return;
      }
      out.set("Cache-Control", "no-store");
      if (corsOrigin != null) {
        out.set("Access-Control-Allow-Origin", corsOrigin);
        out.set("Vary", "Origin");
        if (method.equals("OPTIONS")) {
          out.set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
          out.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
          out.set("Access-Control-Max-Age", "600");
          exchange.sendResponseHeaders(204, -1);
          return;
        }
      }
      Api.Response response;
      try {
        if (stopping) {
          throw new HttpError(503, "the server is stopping");
        }
        authorize(exchange);
        response = api.handle(exchange, path, method);
      } catch (HttpError e) {
        if (e.allow() != null) {
          out.set("Allow", e.allow());
        }
        if (e.status() == 401) {
          out.set("WWW-Authenticate", "Bearer");
        }
        response = Api.Response.error(e.status(), e.getMessage());
      } catch (IOException | RuntimeException e) {
        // The store failed (a disk error, a model failure): not the request's fault, and the
        // store says what happened. The client gets that, not a dropped connection.
        response =
            Api.Response.error(
                500,
                "the store failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
      send(exchange, response.status(), "application/json; charset=utf-8", response.body());
    }
  }

  private void authorize(HttpExchange exchange) throws HttpError {
    if (tokenDigest == null) {
      return;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new HttpError(401, "this server needs a token: send Authorization: Bearer TOKEN");
    }
    // Digests of equal length compared with isEqual: no timing difference tells how much matched.
    if (!MessageDigest.isEqual(tokenDigest, sha256(header.substring("Bearer ".length())))) {
      throw new HttpError(401, "wrong token");
    }
  }

  private void serveFile(HttpExchange exchange, String path, String method) throws IOException {
    StaticFiles.File file = files.get(path);
    if (file == null) {
      send(
          exchange,
          404,
          "application/json; charset=utf-8",
          JsonValues.write(Map.of("error", "no such page: " + path)));
      return;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      send(
          exchange,
          405,
          "application/json; charset=utf-8",
          JsonValues.write(Map.of("error", method + " is not allowed on " + path + "; use GET")));
      return;
    }
    Headers out = exchange.getResponseHeaders();
    out.set(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    out.set("Cache-Control", "no-cache");
    if (method.equals("HEAD")) {
      out.set("Content-Type", file.contentType());
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    send(exchange, 200, file.contentType(), file.bytes());
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(body);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Configures an {@link EmbedstoreServer}. Defaults: host {@code 127.0.0.1}, port 8080, no token,
   * writable, no CORS, a 16 MiB body limit.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final VectorStore store;
    private String host = "127.0.0.1";
    private int port = 8080;
    private String token;
    private boolean readOnly;
    private String corsOrigin;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

    private Builder(VectorStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The address to bind: a host name or IP address. Not a loopback address needs a {@link
     * #token}.
     *
     * @param value the host
     * @return this builder
     */
    public Builder host(String value) {
      this.host = Objects.requireNonNull(value, "host");
      return this;
    }

    /**
     * The port; 0 picks a free one ({@link EmbedstoreServer#port()} tells which).
     *
     * @param value the port
     * @return this builder
     */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535; port=" + value);
      }
      this.port = value;
      return this;
    }

    /**
     * The token every {@code /api} request must carry as {@code Authorization: Bearer TOKEN}, or
     * null for none (loopback only).
     *
     * @param value the token
     * @return this builder
     */
    public Builder token(String value) {
      if (value != null && (value.isBlank() || !value.strip().equals(value))) {
        throw new IllegalArgumentException(
            "the token must not be blank nor start or end with spaces");
      }
      this.token = value;
      return this;
    }

    /**
     * Whether writes (adding, deleting documents; embedding documents into the cache) are refused
     * with 403.
     *
     * @param value true to refuse writes
     * @return this builder
     */
    public Builder readOnly(boolean value) {
      this.readOnly = value;
      return this;
    }

    /**
     * The one origin whose pages may call the API from a browser (CORS), such as {@code
     * http://localhost:3000}, or null for none.
     *
     * @param value the origin
     * @return this builder
     */
    public Builder corsOrigin(String value) {
      if (value != null && (value.isBlank() || value.contains(",") || value.contains("\n"))) {
        throw new IllegalArgumentException("the CORS origin must be one origin; got " + value);
      }
      this.corsOrigin = value;
      return this;
    }

    /**
     * The largest request body accepted, in bytes; larger ones get 413.
     *
     * @param value the limit
     * @return this builder
     */
    public Builder maxBodyBytes(long value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be >= 1; maxBodyBytes=" + value);
      }
      this.maxBodyBytes = value;
      return this;
    }

    /**
     * Builds the server (not started).
     *
     * @return the server
     */
    public EmbedstoreServer build() {
      return new EmbedstoreServer(this);
    }
  }
}
