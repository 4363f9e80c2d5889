package dev.embedstore.bench.report;

import dev.embedstore.bench.Beir;
import dev.embedstore.bench.SuppressForbidden;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code embedstore serve} as an HTTP client sees it, next to the whole-process CLI {@code search}
 * on the same store: the server's start-up (launch to the URL printed), the first query after it,
 * and p50/p99 of warm searches over one keep-alive connection in each mode; then the wall time of
 * {@code ./embedstore search} runs. Runs the real launcher as child processes, from the checkout's
 * root:
 *
 * <pre>
 *   ./embedstore index ../shared/data/scifact/corpus.jsonl --store /tmp/scifact
 *   ./benchmarks/run dev.embedstore.bench.report.ServeReport /tmp/scifact [queries] [cli-runs]
 * </pre>
 *
 * The table goes to stdout, the figures to {@code benchmarks/target/serve-report.json}.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class ServeReport {
  private ServeReport() {}

  /**
   * Runs the report.
   *
   * @param args the store folder, then optionally the number of warm queries (default 200) and of
   *     CLI runs (default 5)
   * @throws Exception if a process or request fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ServeReport STORE [queries] [cli-runs]");
      System.exit(2);
    }
    Path store = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int cliRuns = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path data = Path.of(System.getProperty("embedstore.shared", "../shared"), "data", "scifact");
    List<String> queries = Beir.queries(data, n + 1);
    Path launcher = Path.of("embedstore").toAbsolutePath();
    Map<String, Object> out = new LinkedHashMap<>();

    long t0 = System.nanoTime();
    Process serve =
        new ProcessBuilder(
                launcher.toString(),
                "serve",
                "--store",
                store.toString(),
                "--port",
                "0",
                "--read-only")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader stdout =
        new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
      String url = stdout.readLine();
      double startup = (System.nanoTime() - t0) / 1e9;
      if (url == null) {
        throw new IOException("embedstore serve printed no URL (exit " + serve.waitFor() + ")");
      }
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      out.put("startup_seconds", startup);
      out.put("cold_first_query_ms", timeMs(http, url, queries.get(0), "vector"));
      for (String mode : List.of("vector", "keyword", "hybrid")) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
          ms[i] = timeMs(http, url, queries.get(i + 1), mode);
        }
        Arrays.sort(ms);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queries", n);
        m.put("p50_ms", ms[n / 2]);
        m.put("p99_ms", ms[(int) Math.ceil(n * 0.99) - 1]);
        m.put("mean_ms", Arrays.stream(ms).average().orElse(0));
        out.put(mode, m);
      }
    } finally {
      serve.destroy();
      serve.waitFor(60, TimeUnit.SECONDS);
    }

    List<Double> cli = new ArrayList<>();
    for (int i = 0; i < cliRuns; i++) {
      long c0 = System.nanoTime();
      Process p =
          new ProcessBuilder(
                  launcher.toString(),
                  "search",
                  queries.get(i),
                  "--store",
                  store.toString(),
                  "--json")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor() != 0) {
        throw new IOException("embedstore search failed with exit " + p.exitValue());
      }
      cli.add((System.nanoTime() - c0) / 1e9);
    }
    out.put("cli_search_seconds", cli);

    System.out.println(Json.table(out));
    Path json = Path.of("benchmarks", "target", "serve-report.json");
    Files.createDirectories(json.getParent());
    Files.writeString(json, Json.object(out) + "\n", StandardCharsets.UTF_8);
  }

  private static double timeMs(HttpClient http, String url, String query, String mode)
      throws IOException, InterruptedException {
    URI uri =
        URI.create(
            url
                + "api/search?k=10&mode="
                + mode
                + "&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
    long t = System.nanoTime();
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    double ms = (System.nanoTime() - t) / 1e6;
    if (r.statusCode() != 200) {
      throw new IOException("search failed: " + r.statusCode() + " " + r.body());
    }
    return ms;
  }

  /** The report's output: a readable table and a JSON object of the same figures. */
  private static final class Json {
    static String table(Map<String, Object> out) {
      StringBuilder b = new StringBuilder();
      out.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%-22s %s%n", k, format(v))));
      return b.toString();
    }

    static String object(Object v) {
      return switch (v) {
        case Map<?, ?> m -> {
          StringBuilder b = new StringBuilder("{");
          m.forEach(
              (k, x) ->
                  b.append(b.length() > 1 ? "," : "")
                      .append('"')
                      .append(k)
                      .append("\":")
                      .append(object(x)));
          yield b.append('}').toString();
        }
        case List<?> l -> {
          StringBuilder b = new StringBuilder("[");
          l.forEach(x -> b.append(b.length() > 1 ? "," : "").append(object(x)));
          yield b.append(']').toString();
        }
        case Double d -> String.format(Locale.ROOT, "%.4f", d);
        default -> String.valueOf(v);
      };
    }

    private static String format(Object v) {
      return switch (v) {
        case Double d -> String.format(Locale.ROOT, "%.2f", d);
        case Map<?, ?> m -> {
          StringBuilder b = new StringBuilder();
          m.forEach((k, x) -> b.append(k).append(' ').append(format(x)).append("  "));
          yield b.toString().strip();
        }
        case List<?> l -> l.stream().map(ServeReport.Json::format).toList().toString();
        default -> String.valueOf(v);
      };
    }
  }
}
