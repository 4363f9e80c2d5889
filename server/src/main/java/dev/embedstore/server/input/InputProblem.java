package dev.embedstore.server.input;

/**
 * Something wrong with one input record or file, reported with where it is.
 *
 * @param origin {@code file:line} or the file's path
 * @param message what is wrong and, where it helps, what to do
 */
public record InputProblem(String origin, String message) {
  @Override
  public String toString() {
    return origin + ": " + message;
  }
}
