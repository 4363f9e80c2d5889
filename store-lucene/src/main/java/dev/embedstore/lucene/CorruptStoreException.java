package dev.embedstore.lucene;

import java.io.IOException;

/**
 * A store's files are damaged: a checksum or structure check failed. The message names the store
 * and, through its cause (Lucene's {@code CorruptIndexException}), the file. Nothing was modified;
 * {@link StoreCheck#check} lists the damaged segments and {@link StoreCheck#salvageVectors} saves
 * the cached vectors of the rest.
 */
public final class CorruptStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  CorruptStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
