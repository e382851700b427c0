package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecStats;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The protocol every vector follows: one locked, mapped file holding a header and a run of
 * elements of {@link #elementSize()} bytes. The typed vectors are thin facades that turn indices
 * into element accesses on {@link #data()}; bounds, growth, dirty tracking, sync and close live
 * here, once, built from parts that each do one job:
 *
 * <ul>
 *   <li>{@link FileOpener} opens or atomically creates, registers and locks the file and reads its
 *       header;
 *   <li>{@link Mapping} maps it (an address reservation with the native backend, rule 6), remaps
 *       and retires old mappings;
 *   <li>{@link GrowthPolicy} says how big the file and the reservation get (pure functions);
 *   <li>{@link DirtyTracker} records which elements a commit must flush;
 *   <li>{@link Committer} runs the commit order (rule 3) and holds the slots, the sequence and the
 *       poison of a failed sync (rule 7);
 *   <li>{@link StorageStats} counts and reports to JFR; {@link StorageErrors} words the exceptions.
 * </ul>
 *
 * <p><b>The protocol a facade follows.</b> Every element access is bounded by the size, and every
 * store lands below the allocated file size (rule 5):
 *
 * <ul>
 *   <li>read: {@code data().get(layout, readIndex(i) * elementSize)};
 *   <li>write in place: {@code i = writeIndex(index)}, store at {@code i}, then {@link
 *       #countMutation()};
 *   <li>append: {@code i = appendSlot()}, store at {@code i}, then {@link #appended(long)};
 *   <li>insert: {@code i = openGap(index, n)}, store the {@code n} elements, then {@link
 *       #inserted(long)};
 *   <li>bulk: {@link #readRange}/{@link #writeRange} check a run; {@link #appendFrom}, {@link
 *       #closeGap}, {@link #swapRemove}, {@link #popIndex}, {@link #truncate}, {@link #resize} do
 *       the whole change.
 * </ul>
 *
 * <p><b>Threads:</b> not thread-safe, like the vectors: one writer thread at a time (the "owner").
 * Two other threads may touch a storage, and {@link #commitLock} is what makes that safe:
 *
 * <ul>
 *   <li>a thread calling {@link #close()}: a thread that reads while another closes gets an {@link
 *       IllegalStateException}, because the mapping's shared arena waits until no thread is inside
 *       an access before it closes; every later access fails instead of touching unmapped memory;
 *   <li>the background flusher of {@code SyncPolicy.every}. It takes {@link #commitLock}, which
 *       every sync, growth, remap, shrink and close also holds, so the mapping, the file size and
 *       the commit state never change under it. It never touches the owner's dirty range; it reads
 *       {@link #size} with acquire semantics, flushes the data below that size and only then
 *       commits it. The owner publishes a larger size with release semantics only after the new
 *       elements are stored, so a committed size never covers unwritten data.
 * </ul>
 */
public final class Storage {
  private static final VarHandle SIZE;

  static {
    try {
      SIZE = MethodHandles.lookup().findVarHandle(Storage.class, "size", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Path path;
  private final VecOptions options;
  private final ElementLayout layout;
  private final long elementSize;
  private final boolean readOnly;
  private final Backend backend;
  private final LockedFile file;
  private final long pageSize;
  private final long writesPerSync;
  /** Held by every sync, growth, remap, shrink and close, and by the background flusher. */
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Mapping mapping;
  private final DirtyTracker dirty;
  private final StorageStats stats;
  private final Committer committer;
  private final FileSpace space;
  private ScheduledFuture<?> flusher;

  /** {@link Mapping#data()}, kept here for the hot path. */
  private MemorySegment data;
  private long size;
  /** {@link #capacity} while writes are allowed, 0 otherwise: one compare guards an append. */
  private long appendLimit;
  private boolean writeBlocked;
  private boolean closed;
  /**
   * Counts down mutating calls to the next {@code everyWrites} sync (written by the owner only).
   * The flusher reads it, racily, to see whether anything changed since its last round.
   */
  private long writesUntilSync;
  /** {@link #writesUntilSync} as the flusher last committed it (guarded by {@link #commitLock}). */
  private long writesAtLastFlush = Long.MIN_VALUE;

  private Storage(
      Path path,
      VecOptions options,
      ElementLayout layout,
      Backend backend,
      FileOpener.OpenedFile opened)
      throws IOException {
    this.path = path;
    this.options = options;
    this.layout = layout;
    this.elementSize = layout.elementSize();
    this.readOnly = options.readOnly();
    this.backend = backend;
    this.file = opened.locked();
    this.pageSize = backend.pageSize();
    this.size = opened.header().size();
    this.writeBlocked = readOnly;
    this.writesPerSync =
        options.syncPolicy() instanceof SyncPolicy.EveryWrites(long n) ? n : Long.MAX_VALUE;
    this.writesUntilSync = writesPerSync;
    this.mapping =
        new Mapping(file.file(), readOnly, backend.reservesAddressSpace(), opened.fileBytes());
    this.data = mapping.data();
    this.dirty = new DirtyTracker(size);
    this.stats = new StorageStats(path);
    this.committer =
        new Committer(path, file.file(), mapping, stats, elementSize, pageSize, opened.header());
    this.space =
        new FileSpace(
            path, file.file(), mapping, committer, stats, elementSize, pageSize, opened.fileBytes());
    this.appendLimit = readOnly ? 0 : space.capacity();
    if (!readOnly && options.syncPolicy() instanceof SyncPolicy.Every(Duration interval)) {
      flusher = Flusher.schedule(this, interval);
    }
  }

  /**
   * Opens the vector file at {@code path}, creating it atomically if it is absent and the options
   * are writable.
   *
   * @param path the file
   * @param options magic, data version, read-only, sync policy
   * @param layout the element layout the caller will read and write
   * @param backend the native backend or the fallback
   * @return the open storage, locked and mapped
   * @throws io.mmapvec.VecFormatException if the file is not what was asked for, or damaged
   * @throws VecLockedException if another process, or this JVM, holds the file
   * @throws NoSuchFileException if a read-only open finds no file, or the directory is missing
   * @throws IOException on any other failure; nothing is left locked, mapped or half-created
   */
  public static Storage open(Path path, VecOptions options, ElementLayout layout, Backend backend)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(backend, "backend");
    Identity identity = new Identity(options.magic(), options.dataVersion(), layout);
    FileOpener.OpenedFile opened =
        FileOpener.openOrCreate(path, identity, backend, !options.readOnly());
    try {
      return new Storage(path, options, layout, backend, opened);
    } catch (Throwable t) {
      opened.releaseQuietly();
      throw t;
    }
  }

  // ---------------------------------------------------------------------------------- hot path

  /** {@return the mapped elements; index {@code i} is at byte {@code i * elementSize()}} */
  public MemorySegment data() {
    return data;
  }

  /** {@return {@code index} if it is below the size, else throws IndexOutOfBoundsException} */
  public long readIndex(long index) {
    if (Long.compareUnsigned(index, size) >= 0) {
      throw indexError(index);
    }
    return index;
  }

  /** {@return {@code index} if it is below the size and writes are allowed; marks it dirty} */
  public long writeIndex(long index) {
    if (Long.compareUnsigned(index, size) >= 0 || writeBlocked) {
      throw writeError(index);
    }
    dirty.markIndex(index);
    return index;
  }

  /**
   * {@return the index where a new last element goes, growing the file if needed} The caller
   * stores the element there, then calls {@link #appended(long)}.
   */
  public long appendSlot() {
    long n = size;
    if (n >= appendLimit) {
      growForAppend(1);
    }
    return n;
  }

  /**
   * Publishes the element stored at {@code index} by {@link #appendSlot()}: the size grows with
   * release semantics, after the store, so the flusher never commits a size over an unwritten
   * element.
   */
  public void appended(long index) {
    SIZE.setRelease(this, index + 1);
    countMutation();
  }

  /** Counts one mutating call for {@code SyncPolicy.everyWrites}; call after the change is made. */
  public void countMutation() {
    if (--writesUntilSync <= 0) {
      writesUntilSync = writesPerSync;
      try {
        sync(SyncTrigger.EVERY_WRITES);
      } catch (IOException e) {
        throw new UncheckedIOException("sync after " + writesPerSync + " writes failed", e);
      }
    }
  }

  /** {@return {@code from} if {@code [from, from+count)} lies within the size} */
  public long readRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || closed) {
      throw rangeError(from, count);
    }
    return from;
  }

  /** {@return {@code from} if {@code [from, from+count)} lies within the size and is writable} */
  public long writeRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || writeBlocked) {
      throw writeBlocked ? writeError(from) : rangeError(from, count);
    }
    dirty.mark(from, from + count);
    return from;
  }

  /** {@return the size as an array length, or throws if a Java array cannot hold it} */
  public int arrayLength() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw StorageErrors.tooLongForArray(path, n);
    }
    return (int) n;
  }

  // ---------------------------------------------------------------------------------- structure

  /** {@return the number of elements} */
  public long size() {
    checkOpen();
    return size;
  }

  /** {@return the number of elements the allocated file holds} */
  public long capacity() {
    checkOpen();
    return space.capacity();
  }

  /** {@return the size of one element in bytes} */
  public long elementSize() {
    return elementSize;
  }

  /** {@return the element layout} */
  public ElementLayout layout() {
    return layout;
  }

  /** {@return the path given at open} */
  public Path path() {
    return path;
  }

  /** {@return the options given at open} */
  public VecOptions options() {
    return options;
  }

  /**
   * Appends the elements in {@code src} (native byte order, a whole number of elements), growing
   * the file if needed; the size is published after the copy.
   */
  public void appendFrom(MemorySegment src) {
    checkWritable();
    long count = src.byteSize() / elementSize;
    long n = size;
    if (count > appendLimit - n) {
      growForAppend(count);
    }
    MemorySegment.copy(src, 0, data, n * elementSize, count * elementSize);
    SIZE.setRelease(this, n + count);
    countMutation();
  }

  /**
   * Opens a gap of {@code count} elements at {@code index} (0 to size), shifting the tail up; the
   * caller fills the gap, then calls {@link #inserted(long)}. {@return index}
   */
  public long openGap(long index, long count) {
    checkWritable();
    if (index < 0 || index > size) {
      throw StorageErrors.insertIndex(path, index, size);
    }
    if (count > appendLimit - size) {
      growForAppend(count);
    }
    moveElements(index, index + count, size - index);
    dirty.mark(index, size + count);
    return index;
  }

  /**
   * Publishes {@code count} elements stored into a gap from {@link #openGap}: the size grows with
   * release semantics after the stores, so the flusher never commits an unwritten element.
   */
  public void inserted(long count) {
    SIZE.setRelease(this, size + count);
    countMutation();
  }

  /** Removes {@code count} elements at {@code index}, shifting the tail down. */
  public void closeGap(long index, long count) {
    long end = index + count;
    if (index < 0 || count < 0 || end > size) {
      throw writeError(index < 0 || index >= size ? index : end - 1);
    }
    checkWritable();
    moveElements(end, index, size - end);
    dropSize(size - count);
    dirty.mark(index, size);
    countMutation();
  }

  /** Moves the last element into {@code index} (already checked by {@link #writeIndex}). */
  public void swapRemove(long index) {
    long last = size - 1;
    if (index != last) {
      moveElements(last, index, 1);
    }
    dropSize(last);
    countMutation();
  }

  /** {@return the index of the last element, which is removed (its bytes stay readable now)} */
  public long popIndex() {
    if (size == 0 || writeBlocked) {
      if (closed || writeBlocked) {
        throw writeError(0);
      }
      throw new NoSuchElementException("vector is empty (" + path + ")");
    }
    long last = size - 1;
    dropSize(last);
    countMutation();
    return last;
  }

  /** Shortens to {@code newSize}; does nothing if not shorter. */
  public void truncate(long newSize) {
    if (newSize < 0) {
      throw StorageErrors.negativeSize(path, newSize);
    }
    checkWritable();
    if (newSize < size) {
      dropSize(newSize);
    }
    countMutation();
  }

  /**
   * Sets the size to {@code newSize}: shortens, or grows the file if needed and fills the new
   * elements with copies of {@code fill} (one element's bytes) before publishing the size.
   */
  public void resize(long newSize, MemorySegment fill) {
    if (newSize < 0) {
      throw StorageErrors.negativeSize(path, newSize);
    }
    checkWritable();
    long old = size;
    if (newSize <= old) {
      dropSize(newSize);
    } else {
      if (newSize > appendLimit) {
        growForAppend(newSize - old);
      }
      // Copy one element's bytes, then double the copied run each time.
      long base = old * elementSize;
      long bytes = (newSize - old) * elementSize;
      MemorySegment.copy(fill, 0, data, base, elementSize);
      for (long done = elementSize; done < bytes; ) {
        long n = Math.min(done, bytes - done);
        MemorySegment.copy(data, base, data, base + done, n);
        done += n;
      }
      SIZE.setRelease(this, newSize);
    }
    countMutation();
  }

  /** Makes room for {@code additional} more elements, allocating now. */
  public void reserve(long additional) throws IOException {
    if (additional < 0) {
      throw new IllegalArgumentException("additional " + additional + " is negative");
    }
    checkWritable();
    if (additional > GrowthPolicy.maxCapacity(elementSize) - size) {
      throw StorageErrors.tooLarge(path, size, additional, elementSize);
    }
    ensureCapacity(size + additional);
  }

  /** {@return a view of the elements' bytes} */
  public MemorySegment asSegment() {
    checkOpen();
    if (!readOnly) {
      dirty.viewHandedOut();
    }
    return data.asSlice(0, size * elementSize);
  }

  private void moveElements(long from, long to, long count) {
    MemorySegment.copy(data, from * elementSize, data, to * elementSize, count * elementSize);
  }

  private void dropSize(long newSize) {
    size = newSize;
    dirty.sizeDropped(newSize);
  }

  private void growForAppend(long extra) {
    checkWritable();
    if (extra > GrowthPolicy.maxCapacity(elementSize) - size) {
      throw StorageErrors.tooLarge(path, size, extra, elementSize);
    }
    try {
      ensureCapacity(size + extra);
    } catch (IOException e) {
      throw StorageErrors.cannotGrow(path, size + extra, e);
    }
  }

  /** Grows the file so at least {@code needed} elements fit (see {@link FileSpace#grow}). */
  private void ensureCapacity(long needed) throws IOException {
    commitLock.lock();
    try {
      checkWritable();
      if (needed > space.capacity()) {
        space.grow(needed);
      }
    } finally {
      spaceChanged();
      commitLock.unlock();
    }
  }

  /** Follows a growth or shrink of the file: the new mapping and the new append limit. */
  private void spaceChanged() {
    data = mapping.data();
    appendLimit = writeBlocked ? 0 : space.capacity();
  }

  // ---------------------------------------------------------------------------------- durability

  /** Rule 3: data, then (if the file size changed) fdatasync, then the inactive slot, then its msync. */
  public void sync() throws IOException {
    sync(SyncTrigger.EXPLICIT);
  }

  private void sync(SyncTrigger trigger) throws IOException {
    commitLock.lock();
    try {
      checkOpen();
      if (readOnly) {
        return;
      }
      committer.checkNotPoisoned();
      long n = size;
      commit(trigger, n, dirty.flushFrom(n), dirty.flushTo(n));
      dirty.committed(n);
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * The flusher's sync ({@code SyncPolicy.every}): the whole data range below a size the vector
   * had (the kernel writes only the dirty pages), then that size. Never throws: a failure poisons
   * the vector, and the owner sees it at its next sync, close or write.
   */
  void backgroundSync() {
    if (!commitLock.tryLock()) {
      return; // the owner is syncing or growing right now; try again next interval
    }
    try {
      if (closed || committer.poison() != null) {
        return;
      }
      long n = (long) SIZE.getAcquire(this);
      // A racy read: a stale value only moves the flush of a change to the next round.
      long writes = writesUntilSync;
      if (writes == writesAtLastFlush
          && !dirty.viewsOut()
          && n == committer.committedSize()
          && !committer.fileSizeChanged()) {
        return; // idle since the last round: nothing to flush, and not counted as a sync
      }
      commit(SyncTrigger.EVERY, n, 0, n);
      writesAtLastFlush = writes;
    } catch (IOException | RuntimeException e) {
      // Already recorded as the poison by the committer.
    } finally {
      commitLock.unlock();
    }
  }

  /** Runs one commit; a failure (the committer is poisoned) blocks every later write (rule 7). */
  private void commit(SyncTrigger trigger, long n, long lo, long hi) throws IOException {
    try {
      committer.commit(trigger, n, lo, hi);
    } catch (IOException | RuntimeException e) {
      writeBlocked = true;
      appendLimit = 0;
      throw e;
    }
  }

  /** Rule 12: commits the smaller size, then shrinks the file to fit it. */
  public void shrinkToFit() throws IOException {
    commitLock.lock();
    try {
      checkWritable();
      sync(SyncTrigger.SHRINK);
      try {
        if (space.shrinkTo(size)) {
          sync(SyncTrigger.SHRINK);
          CrashHooks.reach("shrink.afterSync", path);
        }
      } finally {
        spaceChanged();
      }
    } finally {
      commitLock.unlock();
    }
  }

  /** {@return the counters since open} */
  public VecStats stats() {
    commitLock.lock();
    try {
      checkOpen();
      return stats.snapshot(mapping.remaps(), backend.name());
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Syncs a writable file, unmaps it, releases the locks. Idempotent. A vector poisoned by a
   * failed sync still unmaps and unlocks, then throws that failure.
   */
  public void close() throws IOException {
    commitLock.lock();
    try {
      if (closed) {
        return;
      }
      if (flusher != null) {
        flusher.cancel(false);
      }
      IOException failure = null;
      if (!readOnly) {
        try {
          sync(SyncTrigger.CLOSE);
        } catch (IOException e) {
          failure = e;
        } catch (RuntimeException e) {
          failure = new IOException("final sync failed (" + path + ")", e);
        }
      }
      closed = true;
      writeBlocked = true;
      SIZE.setRelease(this, 0L);
      appendLimit = 0;
      try {
        mapping.close();
      } finally {
        try {
          file.release();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      commitLock.unlock();
    }
  }

  /** {@return whether {@link #close()} has run} */
  public boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------------------------- errors

  /** Throws {@link io.mmapvec.VecClosedException} if the storage is closed. */
  public void checkOpen() {
    if (closed) {
      throw StorageErrors.closed(path);
    }
  }

  private void checkWritable() {
    if (writeBlocked) {
      throw writeError(0);
    }
  }

  private RuntimeException indexError(long index) {
    return closed ? StorageErrors.closed(path) : StorageErrors.index(path, index, size);
  }

  private RuntimeException rangeError(long from, long count) {
    return closed ? StorageErrors.closed(path) : StorageErrors.range(path, from, count, size);
  }

  private RuntimeException writeError(long index) {
    if (closed) {
      return StorageErrors.closed(path);
    }
    if (readOnly) {
      return StorageErrors.readOnly(path);
    }
    IOException poison = committer.poison();
    return poison != null ? StorageErrors.writeAfterPoison(path, poison) : indexError(index);
  }
}
