package io.mmapvec.bench;

import java.util.Arrays;

/**
 * The heap baseline for appends: a {@code long[]} that doubles when full, like {@code ArrayList}
 * without boxing. Written here rather than taken from a collections library so that the baseline is
 * exactly "an array grown by doubling" and nothing more.
 */
final class LongArrayList {
  private long[] elements = new long[16];
  private int size;

  /** Appends {@code value}, doubling the array when it is full. */
  void add(long value) {
    if (size == elements.length) {
      elements = Arrays.copyOf(elements, elements.length * 2);
    }
    elements[size++] = value;
  }

  /** Replaces the element at {@code index}, which must be below the size. */
  void set(int index, long value) {
    elements[index] = value;
  }

  /** {@return the element at {@code index}} */
  long get(int index) {
    return elements[index];
  }

  /** {@return the number of elements} */
  int size() {
    return size;
  }
}
