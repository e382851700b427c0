package io.mmapvec.internal.storage;

/**
 * Which elements changed since the last commit, so that a sync flushes only those: in-place writes
 * widen one range {@code [lo, hi)}; appends need no tracking, because everything from the smallest
 * size since the last commit up to the current size is new. Once a writable view of the whole data
 * has been handed out, every sync flushes the whole data range (the kernel then writes only the
 * pages that are really dirty).
 *
 * <p><b>Threads:</b> the owner thread only; the background flusher never reads it (it flushes the
 * whole range below the size it commits).
 */
final class DirtyTracker {
  private long lo = Long.MAX_VALUE;
  private long hi;
  private long minSizeSinceCommit;
  private boolean viewsOut;

  /** A tracker for a vector of {@code size} elements, all of them committed. */
  DirtyTracker(long size) {
    this.minSizeSinceCommit = size;
  }

  /** Element {@code index} was written in place. */
  void markIndex(long index) {
    if (index < lo) {
      lo = index;
    }
    if (index >= hi) {
      hi = index + 1;
    }
  }

  /** Elements {@code [from, to)} were written in place (moved, filled). */
  void mark(long from, long to) {
    if (from < lo) {
      lo = from;
    }
    if (to > hi) {
      hi = to;
    }
  }

  /** The size dropped to {@code newSize}: elements appended from there on are new again. */
  void sizeDropped(long newSize) {
    if (newSize < minSizeSinceCommit) {
      minSizeSinceCommit = newSize;
    }
  }

  /** A writable view of the data was handed out: from now on every sync flushes everything. */
  void viewHandedOut() {
    viewsOut = true;
  }

  /** {@return whether a writable view was handed out} */
  boolean viewsOut() {
    return viewsOut;
  }

  /** {@return the first element a commit of {@code size} elements must flush} */
  long flushFrom(long size) {
    return viewsOut ? 0 : Math.min(lo, minSizeSinceCommit);
  }

  /**
   * {@return the end (exclusive) of the elements a commit of {@code size} elements must flush}; at
   * most {@code size}, and at most {@link #flushFrom} when nothing needs flushing
   */
  long flushTo(long size) {
    if (viewsOut) {
      return size;
    }
    return Math.min(size, Math.max(hi, size > minSizeSinceCommit ? size : 0));
  }

  /** A commit of {@code size} elements made everything durable: start afresh. */
  void committed(long size) {
    lo = Long.MAX_VALUE;
    hi = 0;
    minSizeSinceCommit = size;
  }
}
