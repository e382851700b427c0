package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.HeaderFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The one mapping of a file, from offset 0: the header, then the elements at {@link
 * HeaderFormat#DATA_OFFSET}. A writable mapping of a backend that reserves address space is longer
 * than the file, a reservation the file grows beneath (rule 6); otherwise it is exactly the file.
 * Mapping anew retires the old mapping: its shared {@link Arena} closes, which waits until no
 * thread is inside an access, and every view of it fails from then on instead of touching unmapped
 * memory.
 *
 * <p><b>Threads:</b> remapped and closed only under the storage's commit lock; the segments it
 * hands out may be read by any thread until they are retired.
 */
final class Mapping {
  private final BackendFile file;
  private final boolean readOnly;
  private final boolean reserves;
  private Arena arena;
  private MemorySegment whole;
  private MemorySegment data;
  private long mappedBytes;
  private long remaps;

  /**
   * Maps {@code file}, {@code fileBytes} long, with a reservation if {@code reserve} (a writer, or
   * a live reader, of a backend that reserves address space).
   */
  Mapping(BackendFile file, boolean readOnly, boolean reserve, long fileBytes) throws IOException {
    this.file = file;
    this.readOnly = readOnly;
    this.reserves = reserve;
    mapTo(lengthFor(fileBytes));
  }

  private long lengthFor(long fileBytes) {
    return reserves ? GrowthPolicy.reservationFor(fileBytes) : fileBytes;
  }

  /**
   * Makes the mapping cover a file grown to {@code fileBytes}: remaps only if the file outgrew the
   * mapping. {@return whether it remapped}
   */
  boolean cover(long fileBytes) throws IOException {
    if (fileBytes <= mappedBytes) {
      return false;
    }
    mapTo(lengthFor(fileBytes));
    return true;
  }

  /** Maps anew for a file about to shrink to {@code fileBytes}, retiring the old mapping. */
  void shrinkTo(long fileBytes) throws IOException {
    mapTo(lengthFor(fileBytes));
  }

  /** Maps the file anew with {@code length} bytes; views of the old mapping die with it. */
  private void mapTo(long length) throws IOException {
    Arena next = Arena.ofShared();
    MemorySegment m;
    try {
      m = file.map(length, next);
    } catch (IOException | RuntimeException e) {
      next.close();
      throw e;
    }
    Arena previous = arena;
    whole = readOnly ? m.asReadOnly() : m;
    data = whole.asSlice(HeaderFormat.DATA_OFFSET);
    mappedBytes = length;
    arena = next;
    if (previous != null) {
      remaps++;
      previous.close();
    }
  }

  /** {@return the whole mapping from file offset 0 (the header's slots live here)} */
  MemorySegment whole() {
    return whole;
  }

  /** {@return the mapping from the first element on} */
  MemorySegment data() {
    return data;
  }

  /** {@return how many times the file was mapped anew since open} */
  long remaps() {
    return remaps;
  }

  /** Retires the mapping for good (waits for accesses in flight, as every remap does). */
  void close() {
    arena.close();
  }
}
