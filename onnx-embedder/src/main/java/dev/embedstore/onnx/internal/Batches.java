package dev.embedstore.onnx.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Plans inference batches: texts sorted by token count, cut into batches whose padded size (texts ×
 * longest text) stays within a token budget. Sorting puts texts of similar length together, so
 * little of each batch is padding; the budget keeps the memory of one batch bounded whatever the
 * lengths.
 */
public final class Batches {
  private Batches() {}

  /**
   * A batch: positions {@code [from, to)} of the sorted order, padded to {@code length} tokens.
   *
   * @param from the first position in the sorted order
   * @param to one past the last position
   * @param length the token count of the longest text in the batch
   */
  public record Batch(int from, int to, int length) {
    /**
     * The number of texts.
     *
     * @return {@code to - from}
     */
    public int size() {
      return to - from;
    }
  }

  /**
   * Sorts texts by token count, shortest first; ties keep their input order.
   *
   * @param lengths the token count of each text
   * @return the text indices in sorted order
   */
  public static int[] sortedByLength(int[] lengths) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Integer.compare(lengths[a], lengths[b]));
    int[] out = new int[order.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = order[i];
    }
    return out;
  }

  /**
   * Cuts the sorted texts into batches.
   *
   * @param lengths the token count of each text
   * @param order the text indices, shortest first
   * @param tokenBudget the most padded tokens in one batch; a single text longer than this is a
   *     batch of its own
   * @param maxBatchSize the most texts in one batch
   * @return the batches, in order
   */
  public static List<Batch> plan(int[] lengths, int[] order, int tokenBudget, int maxBatchSize) {
    List<Batch> batches = new ArrayList<>();
    int from = 0;
    while (from < order.length) {
      int to = from + 1;
      // Sorted ascending: the newest text is always the longest, so padded size = count × its
      // length.
      while (to < order.length
          && to - from < maxBatchSize
          && (long) (to - from + 1) * lengths[order[to]] <= tokenBudget) {
        to++;
      }
      batches.add(new Batch(from, to, lengths[order[to - 1]]));
      from = to;
    }
    return batches;
  }
}
