package dev.embedstore.server;

/**
 * A request the server answers with an error status and a JSON {@code {"error": message}} body.
 * Thrown before anything is written to the store.
 */
final class HttpError extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String allow;

  HttpError(int status, String message) {
    this(status, message, null);
  }

  private HttpError(int status, String message, String allow) {
    super(message, null, false, false);
    this.status = status;
    this.allow = allow;
  }

  /** The methods a 405 names in its Allow header, or null. */
  String allow() {
    return allow;
  }

  static HttpError methodNotAllowed(String method, String path, String allow) {
    return new HttpError(405, method + " is not allowed on " + path + "; it takes " + allow, allow);
  }

  int status() {
    return status;
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError notFound(String message) {
    return new HttpError(404, message);
  }
}
