package dev.embedstore.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request's body into memory, never more than the limit: a declared {@code Content-Length}
 * over it is refused before a byte is read, and a chunked body is refused as soon as it passes it.
 */
@SuppressForbidden(
    reason =
        "com.sun.net.httpserver is the supported, exported API of the jdk.httpserver module;"
            + " jdk-non-portable bans every com.sun package alike")
final class RequestBody {
  private RequestBody() {}

  /**
   * The body's bytes.
   *
   * @throws HttpError 413 when the body is larger than {@code limit}, 400 when the length is not a
   *     number
   */
  static byte[] read(HttpExchange exchange, long limit) throws IOException, HttpError {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw HttpError.badRequest("Content-Length is not a number: " + declared);
      }
      if (length > limit) {
        throw tooLarge(limit);
      }
    }
    InputStream in = exchange.getRequestBody();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buffer)) != -1; ) {
      total += n;
      if (total > limit) {
        throw tooLarge(limit);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static HttpError tooLarge(long limit) {
    return new HttpError(
        413,
        "the request body is larger than the server's limit of "
            + limit
            + " bytes; send fewer records per request (or start the server with a larger --max-body)");
  }
}
