package io.cospress.trainer.eval;

/**
 * Keeps the k best-scoring items seen so far in a bounded min-heap, so selecting the k nearest of n
 * bank rows costs O(n log k) instead of a full sort.
 *
 * <p>Items are ranked by score descending, then by index ascending; that total order makes the
 * selection deterministic when scores tie at the cut-off. Not thread-safe: use one per thread.
 */
final class TopKSelector {

  private final float[] scores;
  private final int[] indices;
  private int size;

  /** Creates a selector that keeps at most {@code capacity} items. */
  TopKSelector(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    scores = new float[capacity];
    indices = new int[capacity];
  }

  /** Forgets all items so the selector can be reused for the next query. */
  void clear() {
    size = 0;
  }

  /** Offers an item; it is kept if it ranks among the best {@code capacity} seen so far. */
  void offer(int index, float score) {
    if (size < scores.length) {
      scores[size] = score;
      indices[size] = index;
      siftUp(size++);
    } else if (ranksBelow(scores[0], indices[0], score, index)) {
      scores[0] = score;
      indices[0] = index;
      siftDown(0);
    }
  }

  /** Number of items currently kept. */
  int size() {
    return size;
  }

  /** Index of the item in heap slot {@code slot} (slots are in no particular order). */
  int indexAt(int slot) {
    return indices[slot];
  }

  /** Score of the item in heap slot {@code slot} (slots are in no particular order). */
  float scoreAt(int slot) {
    return scores[slot];
  }

  /** Whether item a ranks below item b: lower score, or equal score and higher index. */
  private static boolean ranksBelow(float scoreA, int indexA, float scoreB, int indexB) {
    return scoreA < scoreB || (scoreA == scoreB && indexA > indexB);
  }

  private boolean slotRanksBelow(int a, int b) {
    return ranksBelow(scores[a], indices[a], scores[b], indices[b]);
  }

  private void siftUp(int slot) {
    while (slot > 0) {
      int parent = (slot - 1) >>> 1;
      if (!slotRanksBelow(slot, parent)) {
        return;
      }
      swap(slot, parent);
      slot = parent;
    }
  }

  private void siftDown(int slot) {
    while (true) {
      int left = 2 * slot + 1;
      if (left >= size) {
        return;
      }
      int right = left + 1;
      int worstChild = right < size && slotRanksBelow(right, left) ? right : left;
      if (!slotRanksBelow(worstChild, slot)) {
        return;
      }
      swap(slot, worstChild);
      slot = worstChild;
    }
  }

  private void swap(int a, int b) {
    float score = scores[a];
    scores[a] = scores[b];
    scores[b] = score;
    int index = indices[a];
    indices[a] = indices[b];
    indices[b] = index;
  }
}
