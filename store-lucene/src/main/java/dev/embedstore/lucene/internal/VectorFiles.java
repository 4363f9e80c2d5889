package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.npy.NpyReader;
import dev.embedstore.npy.NpyWriter;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.util.BytesRef;

/**
 * Export and import of one model's cached vectors as two files side by side: a {@code .npy} float32
 * matrix {@code [n, dimension]} (loadable with {@code numpy.load}) and a text keys file with one
 * line per row.
 *
 * <p>The keys file, UTF-8:
 *
 * <pre>
 * # embedstore-keys/1 fingerprint=HEX64 dimension=384 rows=N
 * KEYHEX64 D
 * KEYHEX64 Q
 * ...
 * </pre>
 *
 * The first line names the model fingerprint the vectors belong to; each further line holds row
 * {@code i}'s 32-byte cache key in hex and its role ({@code D} document, {@code Q} query).
 * Importing puts the entries back under that fingerprint, so a store or cache that sees the same
 * texts with the same model needs no model calls for them.
 */
public final class VectorFiles {
  /** The first word of a keys file. */
  public static final String HEADER = "# embedstore-keys/1";

  private static final int IMPORT_BATCH = 1024;

  private VectorFiles() {}

  /**
   * The keys file written beside a {@code .npy} file: {@code x.npy} gives {@code x.keys}.
   *
   * @param npy the .npy file
   * @return the keys file
   */
  public static Path keysFileOf(Path npy) {
    String name = npy.getFileName().toString();
    String base = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    return npy.resolveSibling(base + ".keys");
  }

  /**
   * Writes the live entries of one model in a reader.
   *
   * @param reader the reader
   * @param fp the model
   * @param npy the .npy file
   * @param keys the keys file
   * @return the rows written
   * @throws IOException if the model has no entries or a file cannot be written
   */
  public static long export(IndexReader reader, ModelFingerprint fp, Path npy, Path keys)
      throws IOException {
    long n = reader.docFreq(new org.apache.lucene.index.Term(Fields.FP, fp.hex()));
    if (n == 0) {
      throw new IOException("the cache holds no vectors of model fingerprint " + fp.shortId());
    }
    int dimension = CacheReads.dimensionOf(reader, fp);
    if (dimension == 0) {
      throw new IOException("the cache holds no live vectors of model fingerprint " + fp.shortId());
    }
    Path body = keys.resolveSibling(keys.getFileName() + ".body.tmp");
    Path keysTmp = keys.resolveSibling(keys.getFileName() + ".tmp");
    try {
      long rows;
      try (NpyWriter out = NpyWriter.create(npy, dimension);
          BufferedWriter kw = Files.newBufferedWriter(body, StandardCharsets.UTF_8)) {
        CacheReads.visit(
            reader,
            fp,
            Set.of(Fields.KEY, Fields.ROLE, Fields.VEC),
            (r, doc, d) -> {
              float[] v = EntryCodec.decode(d.getBinaryValue(Fields.VEC));
              String key = hex(d.getBinaryValue(Fields.KEY));
              if (v.length != dimension) {
                throw new IOException(
                    "cache entry " + key + " has " + v.length + " dimensions, not " + dimension);
              }
              out.write(v);
              kw.write(key + " " + d.get(Fields.ROLE) + "\n");
              return true;
            });
        rows = out.rows();
      }
      try (BufferedWriter kw = Files.newBufferedWriter(keysTmp, StandardCharsets.UTF_8)) {
        kw.write(
            HEADER
                + " fingerprint="
                + fp.hex()
                + " dimension="
                + dimension
                + " rows="
                + rows
                + "\n");
        kw.flush();
      }
      try (var target = Files.newOutputStream(keysTmp, java.nio.file.StandardOpenOption.APPEND);
          var source = Files.newInputStream(body)) {
        source.transferTo(target);
      }
      Files.move(keysTmp, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return rows;
    } finally {
      Files.deleteIfExists(body);
      Files.deleteIfExists(keysTmp);
    }
  }

  private static String hex(BytesRef b) {
    return CacheKey.ofBytes(b.bytes, b.offset).hex();
  }

  /** Receives imported entries, a batch at a time. */
  @FunctionalInterface
  public interface EntrySink {
    /**
     * Takes a batch.
     *
     * @param batch the entries
     * @throws IOException if they cannot be kept
     */
    void accept(List<CacheEntry> batch) throws IOException;
  }

  /**
   * Puts the rows of an exported pair into a sink (a cache's or a store's putAll).
   *
   * @param sink where the entries go
   * @param npy the .npy file
   * @param keys the keys file
   * @return the rows imported
   * @throws IOException if a file cannot be read, or the two do not match
   */
  public static long importInto(EntrySink sink, Path npy, Path keys) throws IOException {
    try (NpyReader in = NpyReader.open(npy);
        BufferedReader kr = Files.newBufferedReader(keys, StandardCharsets.UTF_8)) {
      String header = kr.readLine();
      if (header == null || !header.startsWith(HEADER + " ")) {
        throw new IOException(keys + " is not an Embedstore keys file (no '" + HEADER + "' line)");
      }
      ModelFingerprint fp = null;
      int dimension = -1;
      long rows = -1;
      for (String part : header.substring(HEADER.length()).trim().split(" ")) {
        int eq = part.indexOf('=');
        String k = eq < 0 ? part : part.substring(0, eq);
        String v = eq < 0 ? "" : part.substring(eq + 1);
        try {
          switch (k) {
            case "fingerprint" -> fp = ModelFingerprint.ofHex(v);
            case "dimension" -> dimension = Integer.parseInt(v);
            case "rows" -> rows = Long.parseLong(v);
            default -> {
              // Fields added by later versions are ignored.
            }
          }
        } catch (IllegalArgumentException e) {
          throw new IOException(keys + ", line 1: bad " + k + " '" + v + "'", e);
        }
      }
      if (fp == null) {
        throw new IOException(keys + ", line 1: no fingerprint");
      }
      if (dimension != in.dimension() || rows != in.rows()) {
        throw new IOException(
            keys
                + " describes "
                + rows
                + " x "
                + dimension
                + " vectors but "
                + npy
                + " holds "
                + in.rows()
                + " x "
                + in.dimension()
                + "; they are not one export");
      }
      List<CacheEntry> batch = new ArrayList<>(IMPORT_BATCH);
      long done = 0;
      for (long line = 2; ; line++) {
        String s = kr.readLine();
        if (s == null) {
          break;
        }
        if (s.isBlank()) {
          continue;
        }
        float[] v = in.next();
        if (v == null) {
          throw new IOException(keys + ", line " + line + ": more keys than " + npy + " has rows");
        }
        String[] parts = s.trim().split(" ");
        CacheEntry e;
        try {
          if (parts.length != 2 || parts[1].length() != 1) {
            throw new IllegalArgumentException("expected 'KEYHEX ROLE'");
          }
          e =
              new CacheEntry(
                  CacheKey.ofHex(parts[0]), fp, Role.fromCode((byte) parts[1].charAt(0)), v);
        } catch (IllegalArgumentException ex) {
          throw new IOException(keys + ", line " + line + ": " + ex.getMessage(), ex);
        }
        batch.add(e);
        if (batch.size() == IMPORT_BATCH) {
          sink.accept(batch);
          done += batch.size();
          batch.clear();
        }
      }
      if (in.next() != null) {
        throw new IOException(npy + " has more rows than " + keys + " has keys");
      }
      sink.accept(batch);
      return done + batch.size();
    }
  }
}
