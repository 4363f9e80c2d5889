package dev.embedstore.server;

import static dev.embedstore.server.ServerFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.server.ServerFixture.Reply;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint and every error status of the API, on a real Lucene store with the real default
 * model. Each refused request is checked to leave the store's documents exactly as they were.
 */
class EmbedstoreServerTest {
  @TempDir static Path tmp;
  static ServerFixture f;
  static EmbedstoreServer server;

  @BeforeAll
  static void start() throws IOException {
    f = new ServerFixture(tmp.resolve("store"));
    server = EmbedstoreServer.builder(f.store).port(0).build().start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
    f.close();
  }

  static Reply call(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return f.call(server, method, path, body, headers);
  }

  static Reply ok(String method, String path, String body) throws Exception {
    Reply r = call(method, path, body);
    assertEquals(200, r.status(), method + " " + path + ": " + r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"), r.headers().toString());
    return r;
  }

  /** The request is refused with the status and an error naming the problem; nothing changes. */
  static void refused(int status, String mentions, String method, String path, String body)
      throws Exception {
    String before = digest(f.store);
    Reply r = call(method, path, body);
    assertEquals(status, r.status(), method + " " + path + " " + body + ": " + r.body());
    assertTrue(r.body().startsWith("{\"error\":\""), r.body());
    assertTrue(
        r.body().replace("\\\"", "\"").contains(mentions),
        "the error should mention " + mentions + ": " + r.body());
    assertEquals(before, digest(f.store), "a refused request changed the store");
  }

  static String firstId(String json) {
    Matcher m = Pattern.compile("\"hits\":\\[\\{\"id\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void healthAndStats() throws Exception {
    Reply health = ok("GET", "/api/health", null);
    assertTrue(health.body().startsWith("{\"status\":\"ok\""), health.body());
    assertTrue(health.body().contains("\"search_modes\":[\"vector\",\"keyword\",\"hybrid\""));
    Reply stats = ok("GET", "/api/stats", null);
    for (String field :
        new String[] {
          "\"documents\":",
          "\"chunks\":",
          "\"cache_entries\":",
          "\"model\":\"all-minilm-l6-v2-q\"",
          "\"dimension\":384",
          "\"backend\":\"lucene\"",
          "\"metadata_fields\":{"
        }) {
      assertTrue(stats.body().contains(field), field + " in " + stats.body());
    }
    assertTrue(stats.body().contains("\"year\":\"long\""), stats.body());
  }

  @Test
  void searchByGetInEveryMode() throws Exception {
    Reply vector = ok("GET", "/api/search?q=how+do+I+make+coffee&k=2", null);
    assertEquals("espresso", firstId(vector.body()), vector.body());
    assertTrue(
        vector
            .body()
            .matches(
                "\\{\"hits\":\\[\\{\"id\":\"espresso\",\"score\":[0-9.E-]+,\"text\":\"Espresso is"
                    + " .*\",\"title\":\"Espresso\",\"metadata\":\\{.*\\}\\}.*\\],\"seconds\":[0-9.E-]+\\}\\n"),
        vector.body());
    Reply keyword = ok("GET", "/api/search?q=borrow+checker&mode=keyword", null);
    assertEquals("rust", firstId(keyword.body()), keyword.body());
    Reply hybrid = ok("GET", "/api/search?q=sunny+soil+for+tomatoes&mode=hybrid&k=1", null);
    assertEquals("tomato", firstId(hybrid.body()), hybrid.body());
    Reply exact = ok("GET", "/api/search?q=green+tea+leaves&mode=exact&k=1", null);
    assertEquals("tea", firstId(exact.body()), exact.body());
  }

  @Test
  void filtersUseTheCliSyntaxAndAreNeverParsedAsAQuery() throws Exception {
    Reply coffee = ok("GET", "/api/search?q=a+drink&filter=topic%3Dtea", null);
    assertEquals("tea", firstId(coffee.body()), coffee.body());
    assertEquals(1, coffee.body().split("\"id\":").length - 1, coffee.body());
    Reply both =
        ok("GET", "/api/search?q=plants&filter=year%3E%3D2021&filter=topic%3Dgarden", null);
    assertEquals("tomato", firstId(both.body()), both.body());
    assertEquals(1, both.body().split("\"id\":").length - 1, both.body());
    // Query-language look-alikes are values, matched literally: they match nothing.
    for (String injection :
        new String[] {
          "topic%3Dcoffee+OR+1%3D1",
          "topic%3D*",
          "topic%3D*%3A*",
          "topic%3Dcoffee%22+OR+topic%3A%22tea",
          "topic%3D%5B*+TO+*%5D"
        }) {
      Reply r = ok("GET", "/api/search?q=coffee&mode=hybrid&filter=" + injection, null);
      assertTrue(r.body().startsWith("{\"hits\":[],"), injection + ": " + r.body());
    }
  }

  @Test
  void searchByPostWithTextOrVector() throws Exception {
    Reply text =
        ok(
            "POST",
            "/api/search",
            "{\"query\":\"compile-time memory safety\",\"k\":3,\"mode\":\"hybrid\","
                + "\"filter\":[\"year<=2020\"]}");
    assertEquals("rust", firstId(text.body()), text.body());
    assertFalse(text.body().contains("\"espresso\""), text.body());
    Reply embed = ok("POST", "/api/embed", "{\"texts\":[\"coffee beans\"],\"role\":\"query\"}");
    String vector =
        embed.body().substring(embed.body().indexOf("[[") + 1, embed.body().indexOf("]]") + 1);
    assertEquals(384, vector.split(",").length);
    Reply byVector = ok("POST", "/api/search", "{\"vector\":" + vector + ",\"k\":1}");
    assertEquals("espresso", firstId(byVector.body()), byVector.body());
  }

  @Test
  void embedReturnsOneVectorPerText() throws Exception {
    Reply r =
        ok("POST", "/api/embed", "{\"texts\":[\"one\",\"two\",\"one\"],\"role\":\"document\"}");
    assertTrue(r.body().startsWith("{\"vectors\":[["), r.body());
    String vectors = r.body().substring(0, r.body().indexOf("]]"));
    assertEquals(2, vectors.split("\\],\\[").length - 1, "three vectors: " + r.body());
    assertTrue(r.body().contains("\"dimension\":384"), r.body());
  }

  @Test
  void addGetAndDeleteDocuments() throws Exception {
    Reply array =
        ok(
            "POST",
            "/api/documents",
            "[{\"id\":\"a1\",\"text\":\"Sourdough needs a lively starter.\",\"title\":\"Bread\","
                + "\"metadata\":{\"topic\":\"baking\",\"year\":2022}},"
                + "{\"_id\":\"a2\",\"text\":\"Croissants are laminated dough.\"},"
                + "{\"id\":\"a2\",\"text\":\"Croissants are laminated, buttery dough.\"}]");
    assertTrue(
        array.body().startsWith("{\"documents\":2,\"added\":2,\"updated\":0,\"unchanged\":0,"),
        array.body());
    assertTrue(array.body().contains("\"duplicates\":1"), array.body());
    Reply lines =
        ok(
            "POST",
            "/api/documents",
            "{\"id\":\"a3\",\"text\":\"Rye bread is dense.\"}\n\n"
                + "{\"id\":\"a1\",\"text\":\"Sourdough needs a lively starter.\",\"title\":\"Bread\","
                + "\"metadata\":{\"topic\":\"baking\",\"year\":2022}}\n");
    assertTrue(lines.body().contains("\"added\":1,\"updated\":0,\"unchanged\":1"), lines.body());
    assertTrue(lines.body().contains("\"embedded\":1"), lines.body());

    Reply got = ok("GET", "/api/documents/a2", null);
    assertEquals(
        "{\"id\":\"a2\",\"text\":\"Croissants are laminated, buttery dough.\",\"title\":null,"
            + "\"metadata\":{}}\n",
        got.body());
    Reply found = ok("GET", "/api/search?q=sourdough+starter&mode=keyword&k=1", null);
    assertEquals("a1", firstId(found.body()), found.body());
    // An id with a slash and a space, as file paths are.
    ok("POST", "/api/documents", "[{\"id\":\"/notes/my file.md\",\"text\":\"A note.\"}]");
    ok("GET", "/api/documents/%2Fnotes%2Fmy%20file.md", null);

    for (String id : new String[] {"a1", "a2", "a3", "%2Fnotes%2Fmy%20file.md"}) {
      assertEquals("{\"deleted\":1}\n", ok("DELETE", "/api/documents/" + id, null).body());
    }
    refused(404, "no document with id a1", "GET", "/api/documents/a1", null);
    refused(404, "no document with id a1", "DELETE", "/api/documents/a1", null);
  }

  @Test
  void badRequestsGet400AndChangeNothing() throws Exception {
    // Malformed JSON.
    refused(400, "invalid JSON", "POST", "/api/search", "{\"query\": \"coffee\"");
    refused(400, "invalid JSON", "POST", "/api/embed", "{texts: [\"a\"]}");
    refused(400, "invalid JSON", "POST", "/api/documents", "[{\"id\":\"x1\",\"text\":\"a\"},");
    refused(400, "invalid JSON", "POST", "/api/documents", "{\"id\":\"x1\",\"text\":\"a\"}\n{oops");
    refused(400, "empty", "POST", "/api/search", "");
    refused(400, "no records", "POST", "/api/documents", "  \n");
    refused(400, "more than one value", "POST", "/api/search", "{\"query\":\"a\"} {}");
    refused(400, "invalid JSON", "POST", "/api/search", "[".repeat(10_000));
    // Wrong types.
    refused(
        400,
        "\"k\" must be a whole number",
        "POST",
        "/api/search",
        "{\"query\":\"a\",\"k\":\"5\"}");
    refused(400, "\"query\" must be", "POST", "/api/search", "{\"query\":42}");
    refused(
        400, "\"vector\"[1] must be a number", "POST", "/api/search", "{\"vector\":[0.1,\"x\"]}");
    refused(400, "must be a JSON object", "POST", "/api/search", "[\"coffee\"]");
    refused(400, "\"texts\" must be", "POST", "/api/embed", "{\"texts\":\"coffee\"}");
    refused(
        400, "\"role\" must be", "POST", "/api/embed", "{\"texts\":[\"a\"],\"role\":\"admin\"}");
    refused(
        400, "\"text\" must be a string", "POST", "/api/documents", "[{\"id\":\"x1\",\"text\":7}]");
    refused(
        400,
        "metadata \"deep\" must be",
        "POST",
        "/api/documents",
        "[{\"id\":\"x1\",\"text\":\"a\",\"metadata\":{\"deep\":{\"x\":1}}}]");
    refused(400, "not a JSON object", "POST", "/api/documents", "[\"just text\"]");
    // Unknown fields and parameters.
    refused(400, "unknown field \"limit\"", "POST", "/api/search", "{\"query\":\"a\",\"limit\":3}");
    refused(
        400,
        "unknown field \"model\"",
        "POST",
        "/api/embed",
        "{\"texts\":[\"a\"],\"model\":\"x\"}");
    refused(
        400, "unknown field \"txt\"", "POST", "/api/documents", "[{\"id\":\"x1\",\"txt\":\"a\"}]");
    refused(400, "unknown parameter \"top\"", "GET", "/api/search?q=a&top=3", null);
    // Values out of range or not in the syntax.
    refused(400, "missing q", "GET", "/api/search?k=3", null);
    refused(400, "k must be 1 to 1000", "GET", "/api/search?q=a&k=0", null);
    refused(400, "k must be 1 to 1000", "GET", "/api/search?q=a&k=100000", null);
    refused(400, "k must be a whole number", "GET", "/api/search?q=a&k=ten", null);
    refused(400, "mode must be", "GET", "/api/search?q=a&mode=sql", null);
    refused(400, "filter takes FIELD=VALUE", "GET", "/api/search?q=a&filter=topic", null);
    refused(400, "not a number", "GET", "/api/search?q=a&filter=year%3E%3Dsoon", null);
    refused(400, "year", "GET", "/api/search?q=a&filter=year%3Dsoon", null);
    String badEscape =
        ServerFixture.raw(
            server,
            "GET /api/search?q=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    // Refused by the JDK's server itself before any handler runs (its own short HTML page).
    assertTrue(badEscape.startsWith("HTTP/1.1 400 "), badEscape);
    refused(400, "dimension", "POST", "/api/search", "{\"vector\":[0.1,0.2,0.3]}");
    refused(
        400,
        "needs a query text",
        "POST",
        "/api/search",
        "{\"vector\":[0.1],\"mode\":\"keyword\"}");
    // One bad record refuses the whole body: the good ones before it are not written either.
    refused(
        400,
        "body:2: missing \"text\"",
        "POST",
        "/api/documents",
        "{\"id\":\"good1\",\"text\":\"fine\"}\n{\"id\":\"bad\"}\n{\"id\":\"good2\",\"text\":\"fine\"}");
    refused(
        400,
        "year",
        "POST",
        "/api/documents",
        "[{\"id\":\"good1\",\"text\":\"fine\"},"
            + "{\"id\":\"x\",\"text\":\"a\",\"metadata\":{\"year\":\"last year\"}}]");
    refused(404, "no document with id good1", "GET", "/api/documents/good1", null);
  }

  @Test
  void unknownPathsGet404AndWrongMethods405() throws Exception {
    refused(404, "no such endpoint", "GET", "/api/nothing", null);
    refused(404, "no such endpoint", "GET", "/api", null);
    refused(404, "no document id", "GET", "/api/documents/", null);
    refused(404, "no such page", "GET", "/etc/passwd", null);
    refused(404, "no such page", "GET", "/../../etc/passwd", null);
    refused(404, "no such page", "GET", "/%2e%2e/%2e%2e/etc/passwd", null);
    refused(404, "no such page", "GET", "/app.js/../../pom.xml", null);
    Reply r = call("PUT", "/api/search", "{}");
    assertEquals(405, r.status(), r.body());
    assertEquals("GET, POST", r.header("Allow"));
    refused(405, "it takes POST", "GET", "/api/documents", null);
    refused(405, "it takes GET", "POST", "/api/health", "{}");
    refused(405, "it takes GET, DELETE", "POST", "/api/documents/espresso", "{}");
    refused(405, "use GET", "POST", "/", "x");
  }

  @Test
  void thePageComesFromTheJar() throws Exception {
    Reply page = call("GET", "/", null);
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").startsWith("text/html"), page.headers().toString());
    assertTrue(page.body().contains("<script src=\"/app.js\""), page.body());
    assertTrue(page.header("Content-Security-Policy").contains("default-src 'none'"));
    assertEquals("nosniff", page.header("X-Content-Type-Options"));
    Reply js = call("GET", "/app.js", null);
    assertEquals(200, js.status());
    assertTrue(js.header("Content-Type").startsWith("text/javascript"));
    assertTrue(js.body().contains("/api/search"), "the script calls the API");
    assertFalse(js.body().contains("innerHTML"), "store values go on the page as text only");
    assertEquals(200, call("GET", "/style.css", null).status());
    assertEquals(200, call("GET", "/favicon.svg", null).status());
  }

  @Test
  void bodiesOverTheLimitGet413BeforeTheyAreRead() throws Exception {
    String before = digest(f.store);
    // A declared length over the default 16 MiB: refused at once, though no byte of it was sent.
    String declared =
        ServerFixture.raw(
            server,
            ("POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + ((16L << 20) + 1)
                    + "\r\n\r\n[")
                .getBytes(StandardCharsets.US_ASCII));
    assertTrue(declared.startsWith("HTTP/1.1 413 "), declared);
    assertTrue(declared.contains("{\"error\":\"the request body is larger than"), declared);

    try (EmbedstoreServer small =
        EmbedstoreServer.builder(f.store).port(0).maxBodyBytes(1024).build().start()) {
      // A chunked body (no length given) is cut off once it passes the limit.
      StringBuilder chunked =
          new StringBuilder(
              "POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
      String record = "{\"id\":\"big\",\"text\":\"" + "x".repeat(400) + "\"}\n";
      for (int i = 0; i < 8; i++) {
        chunked
            .append(Integer.toHexString(record.length()))
            .append("\r\n")
            .append(record)
            .append("\r\n");
      }
      chunked.append("0\r\n\r\n");
      String cut = ServerFixture.raw(small, chunked.toString().getBytes(StandardCharsets.US_ASCII));
      assertTrue(cut.startsWith("HTTP/1.1 413 "), cut);
      // Within the limit, the same server takes it.
      Reply fits =
          ServerFixture.call(
              f.http, small, "POST", "/api/search", "{\"query\":\"coffee\",\"k\":1}");
      assertEquals(200, fits.status(), fits.body());
      Reply tooBig =
          ServerFixture.call(
              f.http, small, "POST", "/api/search", "{\"query\":\"" + "x".repeat(2000) + "\"}");
      assertEquals(413, tooBig.status(), tooBig.body());
    }
    assertEquals(before, digest(f.store));
  }

  @Test
  void aTokenGuardsEveryApiCall() throws Exception {
    try (EmbedstoreServer guarded =
        EmbedstoreServer.builder(f.store).port(0).token("s3cret-token").build().start()) {
      String before = digest(f.store);
      for (String[] call :
          new String[][] {
            {"GET", "/api/health", null},
            {"GET", "/api/search?q=coffee", null},
            {"POST", "/api/documents", "[{\"id\":\"t1\",\"text\":\"x\"}]"},
            {"DELETE", "/api/documents/espresso", null},
            {"GET", "/api/nothing", null}
          }) {
        Reply none = ServerFixture.call(f.http, guarded, call[0], call[1], call[2]);
        assertEquals(401, none.status(), call[1] + ": " + none.body());
        assertEquals("Bearer", none.header("WWW-Authenticate"));
        Reply wrong =
            ServerFixture.call(
                f.http, guarded, call[0], call[1], call[2], "Authorization", "Bearer s3cret-tokeN");
        assertEquals(401, wrong.status(), wrong.body());
        Reply basic =
            ServerFixture.call(
                f.http, guarded, call[0], call[1], call[2], "Authorization", "Basic s3cret-token");
        assertEquals(401, basic.status(), basic.body());
      }
      assertEquals(before, digest(f.store));
      Reply right =
          ServerFixture.call(
              f.http,
              guarded,
              "GET",
              "/api/search?q=coffee&k=1",
              null,
              "Authorization",
              "Bearer s3cret-token");
      assertEquals(200, right.status(), right.body());
      assertEquals("espresso", firstId(right.body()));
      // The page itself is public (it holds nothing of the store); it asks for the token.
      assertEquals(200, ServerFixture.call(f.http, guarded, "GET", "/", null).status());
    }
  }

  @Test
  void aHostOtherThanLoopbackNeedsAToken() throws Exception {
    EmbedstoreServer open = EmbedstoreServer.builder(f.store).host("0.0.0.0").port(0).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, open::start);
    assertTrue(e.getMessage().contains("without a token"), e.getMessage());
    open.close();
    try (EmbedstoreServer loopback =
        EmbedstoreServer.builder(f.store).host("localhost").port(0).build().start()) {
      assertTrue(loopback.port() > 0);
    }
  }

  @Test
  void readOnlyRefusesWritesWith403() throws Exception {
    try (EmbedstoreServer ro =
        EmbedstoreServer.builder(f.store).port(0).readOnly(true).build().start()) {
      String before = digest(f.store);
      assertEquals(
          403,
          ServerFixture.call(
                  f.http, ro, "POST", "/api/documents", "[{\"id\":\"r\",\"text\":\"x\"}]")
              .status());
      assertEquals(
          403, ServerFixture.call(f.http, ro, "DELETE", "/api/documents/espresso", null).status());
      Reply embed =
          ServerFixture.call(
              f.http, ro, "POST", "/api/embed", "{\"texts\":[\"x\"],\"role\":\"document\"}");
      assertEquals(403, embed.status(), embed.body());
      assertTrue(embed.body().contains("read-only"), embed.body());
      assertEquals(before, digest(f.store));
      assertEquals(200, ServerFixture.call(f.http, ro, "GET", "/api/search?q=tea", null).status());
      assertEquals(
          200,
          ServerFixture.call(f.http, ro, "POST", "/api/embed", "{\"texts\":[\"x\"]}").status());
      assertTrue(
          ServerFixture.call(f.http, ro, "GET", "/api/health", null)
              .body()
              .contains("\"read_only\":true"));
    }
  }

  @Test
  void corsOnlyWhenAnOriginIsGiven() throws Exception {
    Reply plain = call("GET", "/api/health", null, "Origin", "http://evil.example");
    assertNull(plain.header("Access-Control-Allow-Origin"), plain.headers().toString());
    assertEquals(
        405, call("OPTIONS", "/api/search", null, "Origin", "http://evil.example").status());
    try (EmbedstoreServer cors =
        EmbedstoreServer.builder(f.store)
            .port(0)
            .corsOrigin("http://localhost:3000")
            .build()
            .start()) {
      Reply r =
          ServerFixture.call(
              f.http, cors, "GET", "/api/health", null, "Origin", "http://localhost:3000");
      assertEquals("http://localhost:3000", r.header("Access-Control-Allow-Origin"));
      Reply preflight =
          ServerFixture.call(
              f.http,
              cors,
              "OPTIONS",
              "/api/documents",
              null,
              "Origin",
              "http://localhost:3000",
              "Access-Control-Request-Method",
              "POST");
      assertEquals(204, preflight.status());
      assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
    }
  }

  @Test
  void theServerHoldsTheWriteLockAndAClosedStoreGets503() throws Exception {
    Path folder = tmp.resolve("closing");
    VectorStore store = LuceneVectorStore.open(folder, f.model);
    store.upsert(ServerFixture.DOCUMENTS.subList(0, 1));
    try (EmbedstoreServer s = EmbedstoreServer.builder(store).port(0).build().start()) {
      IOException locked =
          assertThrows(IOException.class, () -> LuceneVectorStore.open(folder, f.model));
      assertTrue(locked.getMessage().contains("lock"), locked.getMessage());
      store.close();
      Reply r = ServerFixture.call(f.http, s, "GET", "/api/search?q=coffee", null);
      assertEquals(503, r.status(), r.body());
      assertTrue(r.body().contains("not available"), r.body());
      assertEquals(503, ServerFixture.call(f.http, s, "GET", "/api/stats", null).status());
    }
  }
}
