package dev.embedstore.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.Document;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A real Lucene store with the real default model, and an HTTP client for a server of it. */
final class ServerFixture {
  static final List<Document> DOCUMENTS =
      List.of(
          new Document(
              "espresso",
              "Espresso is brewed by forcing hot water through finely ground coffee beans.",
              "Espresso",
              Map.of("topic", "coffee", "year", 2021L)),
          new Document(
              "tea",
              "Green tea leaves are steamed or pan-fired soon after picking to stop oxidation.",
              "Green tea",
              Map.of("topic", "tea", "year", 2019L)),
          new Document(
              "rust",
              "The borrow checker in Rust enforces ownership rules at compile time.",
              "Rust ownership",
              Map.of("topic", "programming", "year", 2020L)),
          new Document(
              "tomato",
              "Tomatoes need full sun, regular water and well-drained soil; prune the side shoots.",
              "Growing tomatoes",
              Map.of("topic", "garden", "year", 2021L)));

  final OnnxEmbedder model;
  final VectorStore store;
  final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  ServerFixture(Path folder) throws IOException {
    model = OnnxEmbedder.bundled(BundledModel.DEFAULT);
    store = LuceneVectorStore.open(folder, model);
    store.upsert(DOCUMENTS);
  }

  void close() throws IOException {
    store.close();
    model.close();
  }

  /** An HTTP response as the tests read it. */
  record Reply(int status, String body, Map<String, List<String>> headers) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  static Reply call(
      HttpClient http,
      EmbedstoreServer server,
      String method,
      String path,
      String body,
      String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().map());
  }

  Reply call(EmbedstoreServer server, String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return call(http, server, method, path, body, headers);
  }

  /** Sends raw bytes on a fresh connection and reads the status line and what follows. */
  static String raw(EmbedstoreServer server, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      StringBuilder b = new StringBuilder();
      for (int n; (n = in.read(buf)) != -1; ) {
        b.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        if (b.indexOf("\r\n\r\n") >= 0 && b.indexOf("}") > b.indexOf("\r\n\r\n")) {
          break;
        }
      }
      return b.toString();
    }
  }

  /** The number of documents and a digest of every one of them: ids, texts, titles, metadata. */
  static String digest(VectorStore store) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    List<String> ids;
    try (Stream<String> s = store.ids(null)) {
      ids = s.sorted().toList();
    }
    for (String id : ids) {
      Optional<Document> d = store.get(id);
      String line =
          id + "\0" + d.get().text() + "\0" + d.get().title() + "\0" + d.get().metadata() + "\n";
      md.update(line.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(ids.size(), store.count());
    return ids.size() + ":" + HexFormat.of().formatHex(md.digest());
  }
}
