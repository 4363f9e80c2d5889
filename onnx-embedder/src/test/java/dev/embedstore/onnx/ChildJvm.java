package dev.embedstore.onnx;

import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM that runs a main of these tests on the tests' class path. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * {@code java} with the flags ONNX Runtime and Lucene want, the given JVM options, the tests'
   * class path, then the main class and its arguments.
   *
   * @param jvmOptions options before the class path, such as {@code -Dname=value}
   * @param main the class to run
   * @param args its arguments
   * @return the command
   */
  static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }
}
