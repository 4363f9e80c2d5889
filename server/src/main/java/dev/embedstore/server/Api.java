package dev.embedstore.server;

import com.sun.net.httpserver.HttpExchange;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.embed.Role;
import dev.embedstore.server.input.FilterSyntax;
import dev.embedstore.server.input.InputProblem;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonRecords;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.MetadataTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JSON API's endpoints. Every request is checked whole before the store is touched: a bad one
 * gets its error and changes nothing. Writes run one at a time (checked, then written, under one
 * lock), so two requests cannot each pass the checks and then conflict in the store.
 *
 * <p>Thread-safe.
 */
@SuppressForbidden(
    reason =
        "com.sun.net.httpserver is the supported, exported API of the jdk.httpserver module;"
            + " jdk-non-portable bans every com.sun package alike")
final class Api {
  /** The most hits one search may ask for. */
  static final int MAX_K = 1000;

  /** The most texts one embed request may carry. */
  static final int MAX_EMBED_TEXTS = 1024;

  /** The most problems an error lists. */
  private static final int MAX_PROBLEMS = 100;

  private static final Set<String> EMBED_FIELDS = Set.of("texts", "role");

  /** A status and a JSON body. */
  record Response(int status, byte[] body) {
    static Response ok(Object value) {
      return new Response(200, JsonValues.write(value));
    }

    static Response error(int status, String message) {
      return new Response(status, JsonValues.write(Map.of("error", message)));
    }
  }

  private final VectorStore store;
  private final long maxBodyBytes;
  private final boolean readOnly;
  private final ReentrantLock writes = new ReentrantLock();

  Api(VectorStore store, long maxBodyBytes, boolean readOnly) {
    this.store = store;
    this.maxBodyBytes = maxBodyBytes;
    this.readOnly = readOnly;
  }

  Response handle(HttpExchange exchange, String path, String method) throws IOException, HttpError {
    try {
      switch (path) {
        case "/api/health" -> {
          allow(method, path, "GET");
          return health();
        }
        case "/api/stats" -> {
          allow(method, path, "GET");
          return Response.ok(stats(store.info()));
        }
        case "/api/search" -> {
          if (method.equals("GET")) {
            return search(SearchParams.fromQuery(exchange.getRequestURI().getRawQuery()));
          }
          allow(method, path, "GET, POST");
          return search(SearchParams.fromBody(body(exchange)));
        }
        case "/api/documents" -> {
          allow(method, path, "POST");
          refuseIfReadOnly("adding documents");
          return addDocuments(body(exchange));
        }
        case "/api/embed" -> {
          allow(method, path, "POST");
          return embed(body(exchange));
        }
        default -> {
          if (path.startsWith("/api/documents/")) {
            String id = path.substring("/api/documents/".length());
            if (id.isEmpty()) {
              throw HttpError.notFound("no document id in " + path + "; use /api/documents/ID");
            }
            if (method.equals("GET")) {
              return getDocument(id);
            }
            allow(method, path, "GET, DELETE");
            refuseIfReadOnly("deleting documents");
            return deleteDocument(id);
          }
          throw HttpError.notFound(
              "no such endpoint: "
                  + path
                  + "; there are /api/search, /api/documents, /api/stats, /api/embed, /api/health");
        }
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // The store's own checks (a word on a numeric field, a vector of the wrong dimension, a
      // mode the backend lacks): the request is at fault.
      throw HttpError.badRequest(e.getMessage());
    } catch (IllegalStateException e) {
      // The store was closed under the server (or is read-only underneath).
      throw new HttpError(503, "the store is not available: " + e.getMessage());
    }
  }

  private static void allow(String method, String path, String allowed) throws HttpError {
    for (String m : allowed.split(", ")) {
      if (m.equals(method)) {
        return;
      }
    }
    throw HttpError.methodNotAllowed(method, path, allowed);
  }

  private void refuseIfReadOnly(String what) throws HttpError {
    if (readOnly) {
      throw new HttpError(403, "this server is read-only; " + what + " is refused");
    }
  }

  private byte[] body(HttpExchange exchange) throws IOException, HttpError {
    return RequestBody.read(exchange, maxBodyBytes);
  }

  private Response health() throws IOException {
    List<String> modes = new ArrayList<>();
    for (SearchMode m : SearchMode.values()) {
      if (store.searchModes().contains(m)) {
        modes.add(m.name().toLowerCase(Locale.ROOT));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "ok");
    out.put("documents", store.count());
    out.put("read_only", readOnly);
    out.put("search_modes", modes);
    return Response.ok(out);
  }

  /** The fields of {@code embedstore stats --json}. */
  static Map<String, Object> stats(StoreInfo info) {
    return info.fields();
  }

  // ---- search

  private Response search(SearchParams q) throws IOException, HttpError {
    if (q.k() < 1 || q.k() > MAX_K) {
      throw HttpError.badRequest("k must be 1 to " + MAX_K + "; k=" + q.k());
    }
    SearchMode mode;
    try {
      mode = SearchMode.valueOf(q.mode().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("mode must be vector, keyword, hybrid or exact; mode=" + q.mode());
    }
    if (!store.searchModes().contains(mode)) {
      throw HttpError.badRequest(
          "this store does not search in mode " + q.mode() + "; it serves " + store.searchModes());
    }
    Filter filter;
    try {
      filter = FilterSyntax.parse(q.filters());
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("filter " + e.getMessage());
    }
    SearchRequest request =
        new SearchRequest(
            q.text(), q.vector(), q.k(), mode, filter, SearchRequest.DEFAULT_OVERSAMPLE, false);
    long t0 = System.nanoTime();
    List<SearchHit> hits = store.search(request);
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Map<String, Object>> list = new ArrayList<>(hits.size());
    for (SearchHit h : hits) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("id", h.id());
      o.put("score", (double) h.score());
      o.put("text", h.text());
      o.put("title", h.title());
      o.put("metadata", h.metadata());
      list.add(o);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("hits", list);
    out.put("seconds", seconds);
    return Response.ok(out);
  }

  // ---- documents

  private Response addDocuments(byte[] body) throws IOException, HttpError {
    JsonRecords.Batch batch = JsonRecords.read(body, "body", true);
    if (!batch.problems().isEmpty()) {
      throw problems(batch.problems());
    }
    if (batch.records().isEmpty()) {
      throw HttpError.badRequest(
          "no records in the body: send a JSON array or JSON lines of {\"id\", \"text\"} records");
    }
    Map<String, InputRecord> byId = new LinkedHashMap<>();
    long duplicates = 0;
    for (InputRecord r : batch.records()) {
      if (byId.remove(r.id()) != null) {
        duplicates++; // the last wins, as in `embedstore index`
      }
      byId.put(r.id(), r);
    }
    writes.lock();
    try {
      List<Document> documents = new ArrayList<>(byId.size());
      List<InputProblem> refused = new ArrayList<>();
      Map<String, String> known = store.info().metadataTypes();
      Map<String, String> pending = new HashMap<>();
      for (InputRecord r : byId.values()) {
        try {
          Document d = new Document(r.id(), r.text(), r.title(), r.metadata());
          store.checkStorable(d);
          MetadataTypes.check(d, known, pending);
          documents.add(d);
        } catch (IllegalArgumentException e) {
          refused.add(new InputProblem(r.origin(), e.getMessage()));
        }
      }
      if (!refused.isEmpty()) {
        throw problems(refused);
      }
      UpsertResult result = store.upsert(documents, null, null);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("documents", result.documents());
      out.put("added", result.added());
      out.put("updated", result.updated());
      out.put("unchanged", result.unchanged());
      out.put("deleted", 0L);
      out.put("chunks", result.chunks());
      out.put("embedded", result.embedded());
      out.put("cache_hits", result.cacheHits());
      out.put("truncated", result.truncated());
      out.put("errors", 0L);
      out.put("duplicates", duplicates);
      out.put("binary_skipped", 0L);
      out.put("invalid_utf8", batch.invalidUtf8());
      out.put("seconds", result.nanos() / 1e9);
      return Response.ok(out);
    } finally {
      writes.unlock();
    }
  }

  private static HttpError problems(List<InputProblem> problems) {
    int n = problems.size();
    return HttpError.badRequest(
        problems.get(0)
            + (n > 1 ? " (and " + (n - 1) + (n == 2 ? " more problem)" : " more problems)") : "")
            + "; nothing was written"
            + (n > 1 ? ". All: " + join(problems.subList(0, Math.min(n, MAX_PROBLEMS))) : ""));
  }

  private static String join(List<InputProblem> problems) {
    StringBuilder b = new StringBuilder();
    for (InputProblem p : problems) {
      b.append(b.isEmpty() ? "" : "; ").append(p);
    }
    return b.toString();
  }

  private Response getDocument(String id) throws IOException, HttpError {
    Optional<Document> found = store.get(id);
    if (found.isEmpty()) {
      throw HttpError.notFound("no document with id " + id);
    }
    Document d = found.get();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("text", d.text());
    out.put("title", d.title());
    out.put("metadata", d.metadata());
    return Response.ok(out);
  }

  private Response deleteDocument(String id) throws IOException, HttpError {
    writes.lock();
    try {
      long deleted = store.delete(List.of(id));
      if (deleted == 0) {
        throw HttpError.notFound("no document with id " + id);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("deleted", deleted);
      return Response.ok(out);
    } finally {
      writes.unlock();
    }
  }

  // ---- embed

  private Response embed(byte[] body) throws IOException, HttpError {
    Map<String, Object> o =
        JsonValues.object(JsonValues.parse(body), EMBED_FIELDS, "an embed request");
    if (!(o.get("texts") instanceof List<?> l) || l.isEmpty()) {
      throw HttpError.badRequest(
          "\"texts\" must be a non-empty array of strings; found "
              + JsonValues.describe(o.get("texts")));
    }
    if (l.size() > MAX_EMBED_TEXTS) {
      throw HttpError.badRequest(
          "at most " + MAX_EMBED_TEXTS + " texts per request; got " + l.size());
    }
    List<String> texts = new ArrayList<>(l.size());
    for (Object t : l) {
      if (!(t instanceof String s)) {
        throw HttpError.badRequest(
            "\"texts\" must hold strings only; found " + JsonValues.describe(t));
      }
      texts.add(s);
    }
    Role role = Role.QUERY;
    if (o.containsKey("role")) {
      if (!(o.get("role") instanceof String r) || !(r.equals("query") || r.equals("document"))) {
        throw HttpError.badRequest("\"role\" must be \"query\" or \"document\"");
      }
      role = r.equals("query") ? Role.QUERY : Role.DOCUMENT;
    }
    if (role == Role.DOCUMENT) {
      // A document's vector is kept in the store's cache: a write.
      refuseIfReadOnly("embedding documents (their vectors go into the store's cache)");
    }
    long t0 = System.nanoTime();
    CachedEmbedder.Outcome outcome = store.embed(texts, role);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("vectors", outcome.vectors());
    out.put("dimension", (long) outcome.vectors().get(0).length);
    out.put("cache_hits", (long) outcome.hits());
    out.put("embedded", (long) outcome.embedded());
    out.put("seconds", (System.nanoTime() - t0) / 1e9);
    return Response.ok(out);
  }
}
