package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.HeaderFormat;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The space the file has: its allocated size, how many elements that holds, and the mapping that
 * covers it. Growth allocates blocks before the capacity grows, because a store into a sparse page
 * on a full disk raises SIGBUS (rule 5); a shrink retires the mapping of the pages it drops before
 * it drops them (rule 12). Each change of the file size tells the {@link Committer}, so the next
 * commit makes the size durable.
 *
 * <p><b>Threads:</b> changed only under the storage's commit lock.
 */
final class FileSpace {
  private final Path path;
  private final BackendFile file;
  private final Mapping mapping;
  private final Committer committer;
  private final StorageStats stats;
  private final long elementSize;
  private final long pageSize;
  private long fileBytes;
  private long capacity;

  /**
   * The file offset below which {@link #prefault} never writes (page aligned, at most {@link
   * #fileBytes}): the file's size at open, then the end of every window prefaulted since. Bytes
   * below the size at open may hold elements of commits that were made before this open (beyond the
   * committed size a writer truncated to, or in an older commit a live reader still reads); bytes
   * above it were allocated by this writer and are zeroed at most once, before any store.
   */
  private long prefaultedTo;

  FileSpace(
      Path path,
      BackendFile file,
      Mapping mapping,
      Committer committer,
      StorageStats stats,
      long elementSize,
      long pageSize,
      long fileBytes) {
    this.path = path;
    this.file = file;
    this.mapping = mapping;
    this.committer = committer;
    this.stats = stats;
    this.elementSize = elementSize;
    this.pageSize = pageSize;
    this.fileBytes = fileBytes;
    this.capacity = GrowthPolicy.capacityOf(fileBytes, elementSize);
    this.prefaultedTo = fileBytes;
  }

  /** {@return how many elements the allocated file holds} */
  long capacity() {
    return capacity;
  }

  /**
   * {@return how many elements fit below the prefaulted end: an append beyond it comes back to
   * {@link #prefault}} At most {@link #capacity()}.
   */
  long prefaultedCapacity() {
    return Math.min(capacity, GrowthPolicy.capacityOf(prefaultedTo, elementSize));
  }

  /**
   * Prefaults the pages an append of up to {@code needed} elements will store into, and a window
   * beyond ({@link GrowthPolicy#prefaultEnd}), through {@link BackendFile#prefault}: the native
   * backend writes zeros there, which puts the pages in the page cache in large batches (about 0.9
   * µs of CPU per 4 KiB page, stores included, against 2.3 µs when each first store faults its page
   * in). Only pages this writer allocated and never prefaulted before are written: at or above
   * {@link #prefaultedTo} (at first the file's size at open) and beyond the page of the last of the
   * {@code size} elements. Elements beyond the size are not garbage: after a truncate they still
   * belong to the last commit until the next one (a crash goes back to it), and to any older commit
   * a live reader holds; every store of this writer beyond the size went below {@link
   * #prefaultedTo}, because appends stop there. An optimisation only: a failure ends this window's
   * prefaulting and the stores fault the pages in as they would have. Under the commit lock, with
   * {@code needed} at most the capacity.
   *
   * @param size the elements stored now
   * @param needed the elements the append needs, at most {@link #capacity()}
   */
  void prefault(long size, long needed) {
    long target = GrowthPolicy.prefaultEnd(needed, elementSize, pageSize, fileBytes);
    long from =
        Math.max(
            prefaultedTo,
            GrowthPolicy.roundUpToPage(HeaderFormat.DATA_OFFSET + size * elementSize, pageSize));
    if (from < target) {
      try {
        file.prefault(from, target - from);
      } catch (IOException | RuntimeException e) {
        // Only an optimisation: the stores will fault the pages in instead.
      }
    }
    prefaultedTo = Math.max(prefaultedTo, target);
  }

  /** {@return the allocated file size in bytes} */
  long fileBytes() {
    return fileBytes;
  }

  /**
   * Grows the file so that at least {@code needed} elements fit, as {@link GrowthPolicy} says, and
   * remaps if the file outgrew the mapping. On failure the file keeps its old size.
   */
  void grow(long needed) throws IOException {
    long newFileBytes = GrowthPolicy.grownFileBytes(capacity, needed, elementSize, pageSize);
    GrowthEvent event = StorageStats.beginResize();
    CrashHooks.reach(CrashPoint.GROW_BEFORE_ALLOCATE, path);
    try {
      allocateOrGiveBack(newFileBytes);
    } catch (IOException e) {
      // The step did not fit (a nearly full disk): fall back to the smallest growth that holds
      // what is needed now, before failing.
      long minFileBytes = GrowthPolicy.fileBytesFor(needed, elementSize, pageSize);
      if (minFileBytes >= newFileBytes) {
        throw e;
      }
      try {
        allocateOrGiveBack(minFileBytes);
      } catch (IOException again) {
        again.addSuppressed(e);
        throw again;
      }
      newFileBytes = minFileBytes;
    }
    CrashHooks.reach(CrashPoint.GROW_AFTER_ALLOCATE, path);
    long oldFileBytes = fileBytes;
    fileBytes = newFileBytes;
    committer.fileResized();
    boolean remapped = mapping.cover(newFileBytes);
    if (remapped) {
      CrashHooks.reach(CrashPoint.GROW_AFTER_REMAP, path);
    }
    capacity = GrowthPolicy.capacityOf(fileBytes, elementSize);
    stats.resized(event, oldFileBytes, newFileBytes, remapped);
  }

  /** {@return whether {@link #shrinkTo} would shrink the file for {@code size} elements} */
  boolean wouldShrink(long size) {
    return GrowthPolicy.fileBytesFor(size, elementSize, pageSize) < fileBytes;
  }

  /** Allocates the file up to {@code newFileBytes}; on failure gives back what it took, throws. */
  private void allocateOrGiveBack(long newFileBytes) throws IOException {
    try {
      file.allocate(fileBytes, newFileBytes);
    } catch (IOException e) {
      // A failed allocation may have taken part of the space (ext4 keeps it, as does the
      // zero-writing fallback); give it back so a full disk is not made fuller.
      try {
        file.truncate(fileBytes);
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Shrinks the file to the whole pages that hold {@code size} elements, if that is smaller; the
   * size must be committed already. Remaps first (views of the old mapping must not outlive the
   * pages they cover); the capacity follows the new mapping at once, so that it stays consistent
   * even if the truncate fails (the file is then merely longer than needed). {@return whether the
   * file shrank}
   */
  boolean shrinkTo(long size) throws IOException {
    long newFileBytes = GrowthPolicy.fileBytesFor(size, elementSize, pageSize);
    if (newFileBytes >= fileBytes) {
      return false;
    }
    GrowthEvent event = StorageStats.beginResize();
    CrashHooks.reach(CrashPoint.SHRINK_AFTER_COMMIT, path);
    mapping.shrinkTo(newFileBytes);
    capacity = GrowthPolicy.capacityOf(newFileBytes, elementSize);
    prefaultedTo = Math.min(prefaultedTo, newFileBytes);
    CrashHooks.reach(CrashPoint.SHRINK_AFTER_REMAP, path);
    long oldFileBytes = fileBytes;
    file.truncate(newFileBytes);
    fileBytes = newFileBytes;
    committer.fileResized();
    CrashHooks.reach(CrashPoint.SHRINK_AFTER_TRUNCATE, path);
    stats.resized(event, oldFileBytes, newFileBytes, true);
    return true;
  }
}
