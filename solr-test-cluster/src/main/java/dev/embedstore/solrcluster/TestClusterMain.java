package dev.embedstore.solrcluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.util.Version;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.common.cloud.ZkStateReader;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs a SolrCloud test cluster for another process: a {@link MiniSolrCloudCluster} of {@value
 * #NODES} Jetty nodes and an embedded ZooKeeper, all on 127.0.0.1 on free ports, with every file
 * under one folder.
 *
 * <pre>
 *   java -Dsolr.log.dir=FOLDER/logs -cp ... dev.embedstore.solrcluster.TestClusterMain FOLDER
 * </pre>
 *
 * <p>The protocol is line by line. On standard output, once the cluster is up: {@code ready
 * urls=URL,URL} (the nodes' base URLs, {@code http://127.0.0.1:PORT/solr}). On standard input, one
 * command per line, each answered by one line that starts {@code ok} or {@code error}:
 *
 * <ul>
 *   <li>{@code stop N}: stops node N (1-based) and waits until the cluster sees it gone;
 *   <li>{@code start N}: starts node N again on its port, and waits until its replicas are active;
 *   <li>{@code restart}: stops every node and ZooKeeper, then starts them again from the folder;
 *   <li>{@code urls}: prints the URLs again.
 * </ul>
 *
 * <p>End of standard input (the parent closed it, or died) shuts the cluster down and ends the JVM,
 * so a cluster never outlives its parent. A folder that holds a cluster already (its {@code
 * cluster.properties}) is started again as it was: the same node ports (replicas are registered by
 * host and port), ZooKeeper's data kept, cores found on disk.
 *
 * <p>Solr logs to {@code solr.log} in {@code -Dsolr.log.dir}; standard output carries only the
 * protocol. Not thread-safe; one instance per JVM.
 */
public final class TestClusterMain {
  /** The number of Solr nodes. */
  public static final int NODES = 2;

  private static final String STATE_FILE = "cluster.properties";
  private static final long WAIT_SECONDS = 90;

  private final Path folder;
  private final PrintStream out;
  private final int[] ports = new int[NODES];
  private final JettySolrRunner[] nodes = new JettySolrRunner[NODES];
  private MiniSolrCloudCluster cluster;

  private TestClusterMain(Path folder, PrintStream out) {
    this.folder = folder;
    this.out = out;
  }

  /**
   * Starts the cluster and serves commands until standard input ends.
   *
   * @param args the cluster's folder
   * @throws Exception if the cluster cannot start; the JVM then exits with status 1
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (args.length != 1) {
      out.println("error usage: TestClusterMain FOLDER");
      Runtime.getRuntime().halt(2);
    }
    checkLucene();
    TestClusterMain main = new TestClusterMain(Path.of(args[0]).toAbsolutePath(), out);
    try {
      main.startAll();
    } catch (Exception | Error e) {
      out.println("error starting the cluster: " + oneLine(e));
      haltAfterShutdown(main, 1);
    }
    out.println("ready urls=" + main.urls());
    main.serve(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    haltAfterShutdown(main, 0);
  }

  /** Refuses to run on any Lucene but the one Solr 9.10 is built on (9.12), found once. */
  private static void checkLucene() throws IOException {
    if (Version.LATEST.major != 9 || Version.LATEST.minor != 12) {
      throw new IllegalStateException(
          "Solr 9.10 needs Lucene 9.12, but the class path holds Lucene " + Version.LATEST);
    }
    Enumeration<URL> copies =
        TestClusterMain.class.getClassLoader().getResources("org/apache/lucene/util/Version.class");
    List<URL> all = Collections.list(copies);
    if (all.size() != 1) {
      throw new IllegalStateException("the class path holds " + all.size() + " Lucenes: " + all);
    }
  }

  private void serve(Reader stdin) throws IOException {
    BufferedReader in = new BufferedReader(stdin);
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.strip().split("\\s+");
      try {
        switch (words[0]) {
          case "stop" -> {
            int n = node(words);
            stopNode(n);
            out.println("ok stopped " + (n + 1));
          }
          case "start" -> {
            int n = node(words);
            startNode(n);
            waitForActiveCollections();
            out.println("ok started " + (n + 1) + " urls=" + urls());
          }
          case "restart" -> {
            shutdown();
            startAll();
            out.println("ok restarted urls=" + urls());
          }
          case "urls" -> out.println("ok urls=" + urls());
          case "" -> out.println("error empty command");
          default -> out.println("error unknown command: " + words[0]);
        }
      } catch (Exception e) {
        out.println("error " + oneLine(e));
      }
    }
  }

  private static int node(String[] words) {
    if (words.length != 2) {
      throw new IllegalArgumentException(words[0] + " takes a node number, 1 to " + NODES);
    }
    int n = Integer.parseInt(words[1]);
    if (n < 1 || n > NODES) {
      throw new IllegalArgumentException("no node " + n + "; nodes are 1 to " + NODES);
    }
    return n - 1;
  }

  /** Starts ZooKeeper and every node, from the folder's state when it has one. */
  private void startAll() throws Exception {
    Files.createDirectories(folder);
    Path state = folder.resolve(STATE_FILE);
    boolean fresh = !Files.exists(state);
    if (!fresh) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      for (int i = 0; i < NODES; i++) {
        ports[i] = Integer.parseInt(p.getProperty("node" + (i + 1) + ".port"));
      }
    }
    cluster =
        new MiniSolrCloudCluster.Builder(0, folder)
            .formatZkServer(fresh)
            .withTraceIdGenerationDisabled()
            .build();
    for (int i = 0; i < NODES; i++) {
      Path home = folder.resolve("node" + (i + 1));
      Files.createDirectories(home);
      Properties nodeProps = new Properties();
      nodeProps.setProperty("zkHost", cluster.getZkServer().getZkAddress());
      JettyConfig config = JettyConfig.builder().setPort(ports[i]).setContext("/solr").build();
      nodes[i] = new JettySolrRunner(home.toString(), nodeProps, config);
      cluster.startJettySolrRunner(nodes[i], false);
    }
    for (int i = 0; i < NODES; i++) {
      cluster.waitForNode(nodes[i], (int) WAIT_SECONDS);
      ports[i] = nodes[i].getLocalPort();
    }
    if (fresh) {
      Properties p = new Properties();
      for (int i = 0; i < NODES; i++) {
        p.setProperty("node" + (i + 1) + ".port", Integer.toString(ports[i]));
      }
      try (Writer w = Files.newBufferedWriter(state, StandardCharsets.UTF_8)) {
        p.store(w, "ports of the test cluster's nodes; replicas are registered by them");
      }
    }
    waitForActiveCollections();
  }

  private void stopNode(int n) throws Exception {
    if (!nodes[n].isRunning()) {
      throw new IllegalStateException("node " + (n + 1) + " is not running");
    }
    cluster.stopJettySolrRunner(nodes[n]);
    cluster.waitForJettyToStop(nodes[n]);
  }

  private void startNode(int n) throws Exception {
    if (nodes[n].isRunning()) {
      throw new IllegalStateException("node " + (n + 1) + " is running");
    }
    cluster.startJettySolrRunner(nodes[n], true);
    cluster.waitForNode(nodes[n], (int) WAIT_SECONDS);
  }

  /** Waits until every replica on a live node of every collection is active. */
  private void waitForActiveCollections() throws Exception {
    ZkStateReader reader = cluster.getZkStateReader();
    for (String name : reader.getClusterState().getCollectionNames()) {
      reader.waitForState(
          name,
          WAIT_SECONDS,
          TimeUnit.SECONDS,
          (live, c) ->
              c != null
                  && c.getSlices().stream()
                      .flatMap(s -> s.getReplicas().stream())
                      .allMatch(r -> !live.contains(r.getNodeName()) || r.isActive(live)));
    }
  }

  private String urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      urls.add(String.format(Locale.ROOT, "http://127.0.0.1:%d/solr", ports[i]));
    }
    return String.join(",", urls);
  }

  private void shutdown() throws Exception {
    if (cluster != null) {
      MiniSolrCloudCluster c = cluster;
      cluster = null;
      c.shutdown();
    }
  }

  /** Shuts down and ends the JVM; a watchdog halts it if Solr's shutdown hangs. */
  private static void haltAfterShutdown(TestClusterMain main, int status) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(60));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(status == 0 ? 3 : status);
            },
            "test-cluster-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      main.shutdown();
    } catch (Exception e) {
      main.out.println("error shutting down: " + oneLine(e));
    }
    Runtime.getRuntime().halt(status);
  }

  private static String oneLine(Throwable e) {
    String m = e.getClass().getName() + ": " + e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause != e) {
      m += " (caused by " + cause.getClass().getName() + ": " + cause.getMessage() + ")";
    }
    return m.replace('\n', ' ').replace('\r', ' ');
  }
}
