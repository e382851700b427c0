package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.LiveHeader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The commit protocol of one file (rule 3): the commit state (the two header slots, the active one,
 * the sequence, the committed size), the order of the steps, and the poison a failed step leaves
 * (rule 7).
 *
 * <p>A commit has two steps, which a caller committing several files as one (a column group) drives
 * separately: first {@link #flushData} on every file (elements, then the file size if it changed),
 * then its own commit record, then {@link #writeSlot} where a file keeps its own size. {@link
 * #commit} runs both steps for a single file. Every step that fails poisons the committer: the
 * kernel may have dropped the dirty pages, so no later commit may claim they are durable.
 *
 * <p><b>Threads:</b> every method runs under the storage's commit lock.
 */
final class Committer {
  private final Path path;
  private final BackendFile file;
  private final Mapping mapping;
  private final StorageStats stats;
  private final long elementSize;
  private final long pageSize;

  private long committedSize;
  private long sequence;

  /** The rewrite counter of the last commit (docs/FORMAT.md, "Live readers"). */
  private long rewrites;

  private int activeSlot;
  private boolean fileSizeChanged;
  private IOException poison;

  Committer(
      Path path,
      BackendFile file,
      Mapping mapping,
      StorageStats stats,
      long elementSize,
      long pageSize,
      Header header) {
    this.path = path;
    this.file = file;
    this.mapping = mapping;
    this.stats = stats;
    this.elementSize = elementSize;
    this.pageSize = pageSize;
    this.committedSize = header.size();
    this.sequence = header.active().sequence();
    this.rewrites = header.active().rewrites();
    this.activeSlot = header.activeSlot();
  }

  /**
   * A writer's open: makes the slot pages durable (a previous writer may have died between writing
   * a slot and its msync), then publishes the active sequence to live readers.
   */
  void publishAtOpen() throws IOException {
    file.syncRange(mapping.whole(), LiveHeader.SLOT_PAGES_OFFSET, LiveHeader.SLOT_PAGES_BYTES);
    LiveHeader.publish(mapping.whole(), sequence);
  }

  /** {@return the rewrite counter of the last commit} */
  long rewrites() {
    return rewrites;
  }

  /** {@return the size of the last commit} */
  long committedSize() {
    return committedSize;
  }

  /** {@return the sequence number of the last commit} */
  long sequence() {
    return sequence;
  }

  /** {@return whether the file's size changed since the last commit} */
  boolean fileSizeChanged() {
    return fileSizeChanged;
  }

  /**
   * The file was grown or truncated: the next commit makes its size durable ({@code fdatasync}).
   */
  void fileResized() {
    fileSizeChanged = true;
  }

  /** {@return the failure that poisoned this file, or null} */
  IOException poison() {
    return poison;
  }

  /** Throws if an earlier step failed (rule 7). */
  void checkNotPoisoned() throws IOException {
    if (poison != null) {
      throw StorageErrors.syncAfterPoison(path, poison);
    }
  }

  /** A page of the mapping faulted (the file was cut behind our back): typed, and poisoned. */
  private IOException faulted(InternalError e) {
    IOException io = StorageErrors.fault(path, e);
    poison(io);
    return io;
  }

  /** Records {@code failure} as the poison; the first one stays. */
  void poison(Throwable failure) {
    if (poison == null) {
      poison = failure instanceof IOException io ? io : new IOException(failure);
    }
  }

  /**
   * Commits {@code size} elements after making elements {@code [lo, hi)} durable; does nothing if
   * nothing changed. A slot is written when the size changed or {@code rewrote} (elements below the
   * committed size changed: the rewrite counter grows, so live readers learn of it). On failure the
   * committer is poisoned and the failure rethrown.
   *
   * @param trigger what started the sync (for JFR)
   * @param size the size to commit; elements below it hold their values already
   * @param lo the first element to flush
   * @param hi the end (exclusive) of the elements to flush; none if not above {@code lo}
   * @param rewrote whether elements below the committed size may have changed
   */
  void commit(SyncTrigger trigger, long size, long lo, long hi, boolean rewrote)
      throws IOException {
    boolean slot = size != committedSize || rewrote;
    if (hi <= lo && !slot && !fileSizeChanged) {
      return;
    }
    SyncEvent event = StorageStats.beginSync();
    long start = System.nanoTime();
    boolean resized = fileSizeChanged;
    long bytes = flushData(lo, hi);
    if (slot) {
      bytes += writeSlot(size, rewrote);
    }
    stats.synced(event, start, bytes, size, resized, trigger);
  }

  /**
   * Step 1: makes elements {@code [lo, hi)} durable, then, if the file was resized, its size and
   * data ({@code fdatasync}). {@return the bytes handed to the device}
   */
  long flushData(long lo, long hi) throws IOException {
    try {
      long bytes = 0;
      CrashHooks.reach(CrashPoint.SYNC_BEGIN, path);
      if (hi > lo) {
        long from = HeaderFormat.DATA_OFFSET + lo * elementSize;
        long length = (hi - lo) * elementSize;
        if (!(fileSizeChanged && file.syncFileCoversMappings())) {
          // Else the fdatasync below writes these pages too (Linux), in the same device flush.
          file.syncRange(mapping.whole(), from, length);
          CrashHooks.durable(path, from, length);
        }
        bytes +=
            GrowthPolicy.roundUpToPage(from + length, pageSize)
                - GrowthPolicy.roundDownToPage(from, pageSize);
      }
      CrashHooks.reach(CrashPoint.SYNC_AFTER_DATA, path);
      if (fileSizeChanged) {
        file.syncFile();
        CrashHooks.durable(path, 0, Long.MAX_VALUE);
        CrashHooks.reach(CrashPoint.SYNC_AFTER_FDATASYNC, path);
        fileSizeChanged = false;
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      poison(e);
      throw e;
    } catch (InternalError e) {
      throw faulted(e);
    }
  }

  /**
   * Step 2: writes {@code size} with the next sequence (and the rewrite counter, one more if {@code
   * rewrote}) into the inactive slot, makes the slot durable, only then counts it as committed, and
   * publishes its sequence to live readers (the visibility gate: a reader never shows a slot that
   * is not durable). {@return the bytes handed to the device}
   */
  long writeSlot(long size, boolean rewrote) throws IOException {
    try {
      if (sequence + 1 >= HeaderFormat.MAX_SEQUENCE) {
        throw new IOException(
            "commit sequence "
                + sequence
                + " is at its limit 2^62; copy the vector ("
                + path
                + ")");
      }
      int slot = 1 - activeSlot;
      long nextRewrites = rewrote ? rewrites + 1 : rewrites;
      HeaderFormat.encodeSlot(
          mapping.whole(),
          slot,
          new CommitSlot(sequence + 1, size, System.currentTimeMillis(), nextRewrites));
      CrashHooks.reach(CrashPoint.SYNC_AFTER_SLOT_WRITE, path);
      file.syncRange(mapping.whole(), HeaderFormat.slotOffset(slot), HeaderFormat.SLOT_BYTES);
      CrashHooks.durable(path, HeaderFormat.slotOffset(slot), HeaderFormat.SLOT_BYTES);
      CrashHooks.reach(CrashPoint.SYNC_AFTER_SLOT_SYNC, path);
      activeSlot = slot;
      sequence++;
      committedSize = size;
      rewrites = nextRewrites;
      LiveHeader.publish(mapping.whole(), sequence);
      return pageSize;
    } catch (IOException | RuntimeException e) {
      poison(e);
      throw e;
    } catch (InternalError e) {
      throw faulted(e);
    }
  }
}
