package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.HeaderFormat;

/**
 * How big the file and the mapping get: pure functions of the sizes involved, no state and no I/O.
 * Every file is the header followed by a whole number of pages of elements.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class GrowthPolicy {
  /** The smallest address reservation of a writable native mapping (rule 6). */
  static final long MIN_RESERVATION = 1L << 30;

  /**
   * Below this many bytes the capacity doubles; above it, it grows by an eighth (at least this).
   */
  static final long LINEAR_GROWTH_BYTES = 1L << 30;

  /**
   * The most bytes an append prefaults ahead of the data in one step ({@link #prefaultEnd}): the
   * bound on the memory appends make resident beyond the elements they wrote.
   */
  static final long MAX_PREFAULT_AHEAD = 16L << 20;

  /** The least bytes an append prefaults ahead of the data in one step, if the file has them. */
  static final long MIN_PREFAULT_AHEAD = 256L << 10;

  /** Bytes kept free below {@link HeaderFormat#MAX_FILE_BYTES}. */
  private static final long HEADROOM = 1L << 32;

  private GrowthPolicy() {}

  /** {@return the most elements of {@code elementSize} bytes a file can hold} */
  static long maxCapacity(long elementSize) {
    return (HeaderFormat.MAX_FILE_BYTES - HeaderFormat.DATA_OFFSET - HEADROOM) / elementSize;
  }

  /** {@return how many elements of {@code elementSize} bytes a file of {@code fileBytes} holds} */
  static long capacityOf(long fileBytes, long elementSize) {
    return (fileBytes - HeaderFormat.DATA_OFFSET) / elementSize;
  }

  /** {@return {@code bytes} rounded up to a multiple of {@code pageSize}} */
  static long roundUpToPage(long bytes, long pageSize) {
    return (bytes + pageSize - 1) / pageSize * pageSize;
  }

  /** {@return {@code offset} rounded down to a multiple of {@code pageSize}} */
  static long roundDownToPage(long offset, long pageSize) {
    return offset / pageSize * pageSize;
  }

  /** {@return the size of a new file: the header and one page of elements} */
  static long newFileBytes(long pageSize) {
    return HeaderFormat.DATA_OFFSET + pageSize;
  }

  /** {@return the smallest file size (whole pages of elements) that holds {@code elements}} */
  static long fileBytesFor(long elements, long elementSize, long pageSize) {
    return HeaderFormat.DATA_OFFSET + roundUpToPage(elements * elementSize, pageSize);
  }

  /**
   * {@return the file size to grow to so that at least {@code needed} elements fit} The capacity
   * doubles (by at least a page) while it is below {@link #LINEAR_GROWTH_BYTES}, then grows by an
   * eighth, by at least {@link #LINEAR_GROWTH_BYTES}; never beyond {@link #maxCapacity} unless
   * {@code needed} asks for it.
   *
   * @param capacity the elements the file holds now
   * @param needed the elements that must fit, more than {@code capacity}
   * @param elementSize bytes per element
   * @param pageSize the allocation unit
   */
  static long grownFileBytes(long capacity, long needed, long elementSize, long pageSize) {
    long bytesNow = capacity * elementSize;
    long step =
        bytesNow < LINEAR_GROWTH_BYTES
            ? Math.max(bytesNow, pageSize)
            : Math.max(LINEAR_GROWTH_BYTES, bytesNow / 8);
    long target =
        Math.max(needed, Math.min(maxCapacity(elementSize), capacity + step / elementSize));
    return fileBytesFor(target, elementSize, pageSize);
  }

  /**
   * {@return the file offset up to which an append that needs {@code needed} elements prefaults}
   * Where those elements end, plus a window of a sixteenth of the data, at least {@link
   * #MIN_PREFAULT_AHEAD} and at most {@link #MAX_PREFAULT_AHEAD}, rounded up to a page and never
   * beyond {@code fileBytes}, the allocated file.
   *
   * @param needed the elements the append needs room for
   * @param elementSize bytes per element
   * @param pageSize the page size
   * @param fileBytes the allocated file size
   */
  static long prefaultEnd(long needed, long elementSize, long pageSize, long fileBytes) {
    long dataBytes = needed * elementSize;
    long ahead = Math.min(MAX_PREFAULT_AHEAD, Math.max(dataBytes / 16, MIN_PREFAULT_AHEAD));
    return Math.min(
        fileBytes, roundUpToPage(HeaderFormat.DATA_OFFSET + dataBytes + ahead, pageSize));
  }

  /**
   * {@return the length of an address reservation for a file of {@code fileBytes}}: a power of two,
   * at least {@link #MIN_RESERVATION} and at least twice the file, so that the file can double
   * beneath it before the next remap (rule 6).
   */
  static long reservationFor(long fileBytes) {
    // fileBytes <= MAX_FILE_BYTES (2^46, checked at open and by growth), so this never overflows.
    long r = MIN_RESERVATION;
    while (r < 2 * fileBytes && r < HeaderFormat.MAX_FILE_BYTES) {
      r <<= 1;
    }
    return Math.max(r, fileBytes);
  }
}
