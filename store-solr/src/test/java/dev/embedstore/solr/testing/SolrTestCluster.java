package dev.embedstore.solr.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real SolrCloud cluster for tests: {@code dev.embedstore.solrcluster.TestClusterMain} (module
 * solr-test-cluster, Solr 9.10.1 on its own class path) in a child JVM, 2 nodes and ZooKeeper on
 * 127.0.0.1, every file under one folder. This class speaks its line protocol: it reads the node
 * URLs, and sends commands to stop, start and restart nodes. Closing standard input stops the
 * child, and the child stops by itself when this JVM dies, so no cluster outlives its tests.
 *
 * <p>The build passes {@code embedstore.solr.cluster} (the cluster module's {@code target} folder,
 * with {@code classes/} and {@code classpath.txt}) and {@code embedstore.solr.work} (where cluster
 * folders go). Not thread-safe.
 */
public final class SolrTestCluster implements AutoCloseable {
  private static final long START_SECONDS = 180;
  private static final long COMMAND_SECONDS = 180;

  private final Path folder;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private List<String> urls;

  private SolrTestCluster(Path folder, Process process) {
    this.folder = folder;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("error reading the cluster's output: " + e);
              }
              lines.add("eof");
            },
            "solr-test-cluster-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * A fresh folder for a test class's cluster under the build's work folder.
   *
   * @param name the folder's name
   * @return the folder, emptied
   * @throws IOException if it cannot be made
   */
  public static Path freshFolder(String name) throws IOException {
    Path work = Path.of(System.getProperty("embedstore.solr.work", "target/solr-clusters"));
    Path folder = work.resolve(name).toAbsolutePath();
    if (Files.exists(folder)) {
      try (Stream<Path> all = Files.walk(folder)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(folder);
    return folder;
  }

  /**
   * Starts a cluster in a folder: a new one in an empty folder, or the one the folder holds.
   *
   * @param folder the cluster's folder
   * @return the running cluster
   * @throws IOException if the child cannot start or does not report ready in time
   */
  public static SolrTestCluster start(Path folder) throws IOException {
    Path home =
        Path.of(System.getProperty("embedstore.solr.cluster", "../solr-test-cluster/target"));
    Path classes = home.resolve("classes");
    Path classpathFile = home.resolve("classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(classpathFile)) {
      throw new IOException(
          "the test cluster is not built: "
              + home.toAbsolutePath()
              + " lacks classes/ or classpath.txt; build with ./mvnw -pl store-solr -am");
    }
    String classpath =
        classes.toAbsolutePath()
            + java.io.File.pathSeparator
            + Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
    Files.createDirectories(folder.resolve("logs"));
    Files.createDirectories(folder.resolve("tmp"));
    Files.createDirectories(folder.resolve("home"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    // ZooKeeper sessions of a killed cluster expire after this; Solr's default is 30 s.
    command.add("-Dsolr.zkclienttimeout=15000");
    command.add("-Dsolr.log.dir=" + folder.resolve("logs"));
    command.add("-Djava.io.tmpdir=" + folder.resolve("tmp"));
    command.add("-Duser.home=" + folder.resolve("home"));
    command.add("-cp");
    command.add(classpath);
    command.add("dev.embedstore.solrcluster.TestClusterMain");
    command.add(folder.toString());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(folder.toFile())
            .redirectError(
                ProcessBuilder.Redirect.appendTo(folder.resolve("logs/stderr.log").toFile()));
    SolrTestCluster c = new SolrTestCluster(folder, pb.start());
    boolean success = false;
    try {
      String ready = c.next(START_SECONDS);
      if (!ready.startsWith("ready urls=")) {
        throw new IOException("the test cluster in " + folder + " did not start: " + ready);
      }
      c.urls = List.of(ready.substring("ready urls=".length()).split(","));
      success = true;
      return c;
    } finally {
      if (!success) {
        c.process.destroyForcibly();
      }
    }
  }

  private String next(long seconds) throws IOException {
    try {
      String line = lines.poll(seconds, TimeUnit.SECONDS);
      if (line == null) {
        throw new IOException(
            "the test cluster in " + folder + " did not answer within " + seconds + " s");
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the test cluster", e);
    }
  }

  private String command(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
    String answer = next(COMMAND_SECONDS);
    if (!answer.startsWith("ok")) {
      throw new IOException("the test cluster refused '" + command + "': " + answer);
    }
    int at = answer.indexOf("urls=");
    if (at >= 0) {
      urls = List.of(answer.substring(at + "urls=".length()).split(","));
    }
    return answer;
  }

  /**
   * The nodes' base URLs.
   *
   * @return the URLs
   */
  public List<String> urls() {
    return urls;
  }

  /**
   * The cluster's folder.
   *
   * @return the folder
   */
  public Path folder() {
    return folder;
  }

  /**
   * Stops one node, and returns once the cluster sees it gone.
   *
   * @param node 1 or 2
   * @throws IOException if the cluster refuses
   */
  public void stopNode(int node) throws IOException {
    command("stop " + node);
  }

  /**
   * Starts a stopped node again on its port; returns once its replicas are active.
   *
   * @param node 1 or 2
   * @throws IOException if the cluster refuses
   */
  public void startNode(int node) throws IOException {
    command("start " + node);
  }

  /**
   * Stops every node and ZooKeeper and starts them again from the folder.
   *
   * @throws IOException if the cluster refuses
   */
  public void restart() throws IOException {
    command("restart");
  }

  /**
   * Kills the child JVM at once (SIGKILL): a crash of the whole cluster.
   *
   * @throws IOException if it does not end
   */
  public void kill() throws IOException {
    process.destroyForcibly();
    waitForExit(60);
  }

  private void waitForExit(long seconds) throws IOException {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the test cluster", e);
    }
  }

  /** Stops the cluster: closes its standard input and waits for the child to end. */
  @Override
  public void close() throws IOException {
    if (!process.isAlive()) {
      return;
    }
    try {
      stdin.close();
    } catch (IOException e) {
      // The child is gone already.
    }
    waitForExit(90);
  }
}
