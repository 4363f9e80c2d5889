package dev.embedstore.solr.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * Reads every document a query matches, a page at a time, with Solr's cursors (sorted by id), so
 * that a million documents are never held at once. Not thread-safe.
 */
public final class Pages implements Iterator<SolrDocument> {
  /** Documents per request. */
  public static final int PAGE = 1000;

  private final Cluster cluster;
  private final String what;
  private final ModifiableSolrParams params;
  private final ArrayDeque<SolrDocument> page = new ArrayDeque<>();
  private String cursor = CursorMarkParams.CURSOR_MARK_START;
  private boolean done;

  /**
   * Pages through a query.
   *
   * @param cluster the collection
   * @param what the operation, for messages
   * @param params the query (q, fq, fl); sort and rows are set here
   */
  public Pages(Cluster cluster, String what, ModifiableSolrParams params) {
    this.cluster = cluster;
    this.what = what;
    this.params = new ModifiableSolrParams(params);
    this.params.set("sort", Fields.ID + " asc");
    this.params.set("rows", PAGE);
  }

  /**
   * Whether there is another document, reading the next page when needed.
   *
   * @return whether there is
   * @throws UncheckedIOException if a page cannot be read
   */
  @Override
  public boolean hasNext() {
    try {
      return advance();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Like {@link #hasNext}, with the failure as it is.
   *
   * @return whether there is another document
   * @throws IOException if a page cannot be read
   */
  public boolean advance() throws IOException {
    while (page.isEmpty() && !done) {
      params.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
      QueryResponse r = cluster.query(what, params);
      page.addAll(r.getResults());
      String next = r.getNextCursorMark();
      done = next == null || next.equals(cursor);
      cursor = next;
    }
    return !page.isEmpty();
  }

  @Override
  public SolrDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.poll();
  }
}
