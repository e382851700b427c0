package io.mmapvec.internal.storage;

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
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The protocol every vector follows: one locked, mapped file holding a header and a run of elements
 * of {@link #elementSize()} bytes. The typed vectors are thin facades that turn indices into
 * element accesses on {@link #data()}; bounds, the size and the write gate live here, once. The
 * file itself is the {@link SyncController}'s: growth, sync, shrink, stats and close run there
 * under one commit lock, through parts that each do one job ({@link FileOpener}, {@link Mapping},
 * {@link GrowthPolicy}, {@link FileSpace}, {@link DirtyTracker}, {@link Committer}, {@link
 * StorageStats}, {@link StorageErrors}; docs/ARCHITECTURE.md draws them).
 *
 * <p><b>The protocol a facade follows.</b> Every access is bounded by the size and every store
 * lands below the allocated file size (rule 5):
 *
 * <ul>
 *   <li>read: {@code data().get(layout, readIndex(i) * elementSize())};
 *   <li>write in place: {@code i = writeIndex(index)}, store at {@code i}, then {@link
 *       #countMutation()};
 *   <li>append: {@code i = appendSlot()}, store at {@code i}, then {@link #appended(long)};
 *   <li>insert: {@code i = openGap(index, n)}, store the {@code n} elements, then {@link
 *       #inserted(long)};
 *   <li>bulk: {@link #readRange}/{@link #writeRange} check a run first; {@link #appendFrom}, {@link
 *       #closeGap}, {@link #swapRemove}, {@link #popIndex}, {@link #truncate} and {@link #resize}
 *       make the whole change.
 * </ul>
 *
 * <p><b>Threads:</b> not thread-safe, like the vectors: one writer thread at a time (the "owner").
 * Two other threads may touch a storage, and the commit lock makes that safe: a thread calling
 * {@link #close()} (a thread that reads meanwhile gets an {@link IllegalStateException}: the
 * mapping's shared arena waits until no thread is inside an access, and every later access fails
 * instead of touching unmapped memory), and the background flusher of {@code SyncPolicy.every},
 * which never touches the owner's dirty range: it reads the size with acquire semantics and commits
 * the data below it. The owner publishes a larger size with release semantics only after the new
 * elements are stored, so a committed size never covers unwritten data.
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
  private final SyncSchedule schedule;
  private final DirtyTracker dirty;
  private final SyncController controller;

  /** {@link Mapping#data()}, kept here for the hot path. */
  private MemorySegment data;

  private long size;

  /**
   * While writes are allowed, the capacity, or less where the prefaulted pages end ({@link
   * SyncController#appendCapacity()}); 0 otherwise: one compare guards an append, and the append
   * that crosses it takes the slow path that grows the file or prefaults the next window.
   */
  private long appendLimit;

  private boolean writeBlocked;
  private boolean closed;

  /** The column group this file belongs to, or null: then sync and close commit the group. */
  private GroupHook group;

  /** Set on a column of a record stored column-wise: length changes are refused. */
  private String lengthFixed;

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
    this.size = opened.header().size();
    this.writeBlocked = readOnly;
    this.schedule = new SyncSchedule(options.syncPolicy());
    this.dirty = new DirtyTracker(size);
    this.controller = new SyncController(this, backend, opened, schedule, dirty);
    spaceChanged();
    if (readOnly) {
      size = 0; // until the visibility gate says what a reader may show
      controller.openReader();
    }
    schedule.start(options.syncPolicy(), readOnly, this);
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
    if (!options.readOnly()) {
      GroupStore.refuseWriterOfColumn(path);
    }
    return openColumn(path, options, layout, backend);
  }

  /**
   * Like {@link #open}, without refusing a file that belongs to a column group: for the group's own
   * use.
   */
  static Storage openColumn(Path path, VecOptions options, ElementLayout layout, Backend backend)
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

  /** {@return the mapped elements; index {@code i} is at byte {@code i * elementSize()}} */
  public MemorySegment data() {
    return data;
  }

  /** {@return {@code index} if it is below the size, else throws IndexOutOfBoundsException} */
  public long readIndex(long index) {
    // closed is checked here too: close() leaves the size as it was (a racing reader must not
    // read a zero), so the bounds check alone no longer refuses a read after close.
    if (Long.compareUnsigned(index, size) >= 0 || closed) {
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
   * {@return the index where a new last element goes, growing the file if needed} The caller stores
   * the element there, then calls {@link #appended(long)}.
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
    countAppend();
  }

  /**
   * Counts one mutating call that may have changed elements below the size (anything but an
   * append), for {@code SyncPolicy.everyWrites} and the rewrite counter; call after the change.
   */
  public void countMutation() {
    schedule.countRewrite();
    countAppend();
  }

  /** Counts one appending call for {@code SyncPolicy.everyWrites}. */
  private void countAppend() {
    if (schedule.countDown()) {
      try {
        GroupHook g = group;
        if (g != null) {
          g.commit(SyncTrigger.EVERY_WRITES);
          return;
        }
        controller.sync(SyncTrigger.EVERY_WRITES);
      } catch (IOException e) {
        String after = "sync after " + schedule.writesPerSync() + " writes failed";
        throw new UncheckedIOException(after, e);
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

  /** {@return the number of elements} */
  public long size() {
    checkOpen();
    return size;
  }

  /** {@return the number of elements the allocated file holds} */
  public long capacity() {
    checkOpen();
    return controller.capacity();
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
    checkLengthFree();
    long count = src.byteSize() / elementSize;
    long n = size;
    if (count > appendLimit - n) {
      growForAppend(count);
    }
    copy(src, 0, n, count);
    SIZE.setRelease(this, n + count);
    countAppend();
  }

  /**
   * Opens a gap of {@code count} elements at {@code index} (0 to size), shifting the tail up; the
   * caller fills the gap, then calls {@link #inserted(long)}. {@return index}
   */
  public long openGap(long index, long count) {
    checkWritable();
    checkLengthFree();
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
    checkLengthFree();
    moveElements(end, index, size - end);
    dropSize(size - count);
    dirty.mark(index, size);
    countMutation();
  }

  /** Moves the last element into {@code index} (already checked by {@link #writeIndex}). */
  public void swapRemove(long index) {
    checkLengthFree();
    long last = size - 1;
    if (index != last) {
      moveElements(last, index, 1);
    }
    dropSize(last);
    countMutation();
  }

  /** {@return the index of the last element, which is removed (its bytes stay readable now)} */
  public long popIndex() {
    checkLengthFree();
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
    checkLengthFree();
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
    checkLengthFree();
    long old = size;
    if (newSize <= old) {
      dropSize(newSize);
    } else {
      if (newSize > appendLimit) {
        growForAppend(newSize - old);
      }
      for (long i = old; i < newSize; ) { // copy the element, then double the copied run
        long n = i == old ? 1 : Math.min(i - old, newSize - i);
        copy(i == old ? fill : data, i == old ? 0 : old * elementSize, i, n);
        i += n;
      }
      SIZE.setRelease(this, newSize);
      countAppend(); // nothing below the old size changed
      return;
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
    controller.grow(size + additional, false);
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
    copy(data, from * elementSize, to, count);
  }

  /**
   * Copies {@code count} elements from {@code src} at byte {@code srcOffset} to element {@code to}.
   */
  private void copy(MemorySegment src, long srcOffset, long to, long count) {
    try {
      MemorySegment.copy(src, srcOffset, data, to * elementSize, count * elementSize);
    } catch (InternalError e) {
      throw fault(e);
    }
  }

  /**
   * Turns a fault of mapped memory (the JDK reports SIGBUS as {@link InternalError}: the file was
   * cut by another process, or a hole could not be filled on a full disk) into an {@link
   * UncheckedIOException} naming the file, and poisons the vector (rule 7): every later write and
   * sync throws, {@code close()} still releases the file. Callers {@code throw storage.fault(e)}.
   *
   * @param e the error from an access of {@link #data()}
   * @return the exception to throw
   */
  public UncheckedIOException fault(InternalError e) {
    IOException io = controller.poison(e);
    blockWrites();
    return new UncheckedIOException(io);
  }

  private void dropSize(long newSize) {
    size = newSize;
    dirty.sizeDropped(newSize);
  }

  private void growForAppend(long extra) {
    checkWritable();
    checkLengthFree();
    if (extra > GrowthPolicy.maxCapacity(elementSize) - size) {
      throw StorageErrors.tooLarge(path, size, extra, elementSize);
    }
    try {
      controller.grow(size + extra, true);
    } catch (IOException e) {
      throw StorageErrors.cannotGrow(path, size + extra, e);
    }
  }

  /**
   * Rule 3: data, then (if the file size changed) fdatasync, then the inactive slot, then its
   * msync.
   */
  public void sync() throws IOException {
    GroupHook g = group;
    if (g != null) {
      checkOpen();
      g.commit(SyncTrigger.EXPLICIT);
      return;
    }
    controller.sync(SyncTrigger.EXPLICIT);
  }

  // ------------------------------------------------------------- for a column group

  /**
   * Joins a column group: from now on {@link #sync()}, {@link #close()}, {@link #shrinkToFit()} and
   * the {@code everyWrites} policy commit the whole group through {@code hook}.
   */
  void joinGroup(GroupHook hook) {
    this.group = hook;
  }

  /**
   * The first step of a group commit for this column, by the owner thread: makes the data durable,
   * then writes this file's own slot (rule 3). {@return the committed size}
   */
  long commitAsColumn(SyncTrigger trigger) throws IOException {
    return controller.syncAsColumn(trigger);
  }

  /**
   * The first step of a background group commit ({@code SyncPolicy.every}): everything below the
   * published size, then that size; a failure poisons and is thrown. {@return the committed size}
   */
  long backgroundCommitAsColumn() throws IOException {
    return controller.backgroundSyncAsColumn();
  }

  /** {@return the sequence of this file's newest commit slot (as read at open or last written)} */
  long committedSequence() {
    return controller.committedSequence();
  }

  /**
   * Shows {@code size} elements, as the group manifest says, whatever this file's own slot says:
   * the group's commit is the truth. The caller checked that the file holds them.
   */
  void adoptGroupSize(long newSize) throws IOException {
    if (readOnly) {
      controller.followGroup(newSize); // a live reader: remap if the file grew, then show it
      return;
    }
    if (newSize > controller.capacity()) {
      throw new IllegalArgumentException(
          "size " + newSize + " beyond capacity " + controller.capacity() + " (" + path + ")");
    }
    if (newSize < size) {
      dropSize(newSize);
    }
    SIZE.setRelease(this, newSize);
  }

  /**
   * Refuses (with {@code why}) or allows again every length change: for the columns of a record
   * stored column-wise, which only the record vector may lengthen or shorten.
   *
   * @param why the message of the refusal, or null to allow
   */
  public void fixLength(String why) {
    lengthFixed = why;
    appendLimit = writeBlocked || why != null ? 0 : controller.appendCapacity();
  }

  private void checkLengthFree() {
    if (lengthFixed != null && !closed) {
      throw new UnsupportedOperationException(lengthFixed + " (" + path + ")");
    }
  }

  /** Closes without committing the group: for the group's own close. */
  void closeAsColumn() throws IOException {
    group = null;
    controller.close();
  }

  /** The background flusher's sync; see {@link SyncController#backgroundSync()}. */
  void backgroundSync() {
    controller.backgroundSync();
  }

  /**
   * Rule 12: commits the smaller size, then shrinks the file to fit it (later, while live readers
   * are open).
   */
  public void shrinkToFit() throws IOException {
    checkLengthFree();
    GroupHook g = group;
    if (g != null) {
      // The group's manifest must hold the smaller size before the file shrinks (rule 12).
      checkWritable();
      g.commit(SyncTrigger.SHRINK);
    }
    controller.shrinkToFit();
  }

  /**
   * A reader: shows the newest visible commit (see {@link io.mmapvec.Vec#refresh()}); a writer: its
   * size. {@return the size shown from now on}
   */
  public long refresh() throws IOException {
    GroupHook g = group;
    if (g != null) {
      g.refreshGroup(); // a group's column shows the group's commit
      return size();
    }
    return controller.refresh();
  }

  /**
   * See {@link io.mmapvec.Vec#awaitCommit(java.time.Duration)}. {@return the size shown}
   *
   * @param timeout the longest wait
   */
  public long awaitCommit(java.time.Duration timeout) throws IOException, InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    GroupHook g = group;
    if (g != null) {
      g.awaitGroupCommit(timeout);
      return size();
    }
    return controller.awaitCommit(timeout);
  }

  /** {@return the rewrite counter of the commit written last (writer) or shown (reader)} */
  public long rewriteCount() {
    GroupHook g = group;
    long r = g == null ? -1 : g.shownRewrites();
    return r >= 0 ? r : controller.rewriteCount();
  }

  /** {@return the sequence of the commit written last (writer) or shown (reader; 0: none yet)} */
  public long commitSequence() {
    return controller.commitSequence();
  }

  /** {@return the counters since open} */
  public VecStats stats() {
    return controller.stats();
  }

  /**
   * Syncs a writable file, unmaps it, releases the locks. Idempotent. A vector poisoned by a failed
   * sync still unmaps and unlocks, then throws that failure.
   */
  public void close() throws IOException {
    GroupHook g = group;
    if (g != null) {
      if (!closed) {
        g.commit(SyncTrigger.CLOSE);
      }
      return;
    }
    controller.close();
  }

  // ------------------------------------------------------------- for the SyncController only

  /** {@return the size as the owner last set it (the owner's own view)} */
  long ownerSize() {
    return size;
  }

  /** {@return the size with acquire semantics: every element below it is stored} */
  long publishedSize() {
    return (long) SIZE.getAcquire(this);
  }

  /** A reader adopted a commit of {@code newSize} elements (maybe remapped): show it. */
  void shown(long newSize) {
    size = newSize;
    spaceChanged();
  }

  /** The file grew or shrank: follow the new mapping and capacity. */
  void spaceChanged() {
    data = controller.mapping().data();
    appendLimit = writeBlocked || lengthFixed != null ? 0 : controller.appendCapacity();
  }

  /** A commit failed (rule 7): refuse every later write. */
  void blockWrites() {
    writeBlocked = true;
    appendLimit = 0;
  }

  /**
   * The file is closing: every later access fails. The size is never zeroed: a reader on another
   * thread that passed the closed check must still see the right size; its next access of the
   * mapping then fails (the arena is closed).
   */
  void closed() {
    closed = true;
    writeBlocked = true;
    appendLimit = 0;
  }

  /** {@return whether {@link #close()} has run} */
  public boolean isClosed() {
    return closed;
  }

  /** Throws {@link io.mmapvec.VecClosedException} if the storage is closed. */
  public void checkOpen() {
    if (closed) {
      throw StorageErrors.closed(path);
    }
  }

  void checkWritable() {
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

  /** {@return why a write is refused: closed, read-only, poisoned (rule 7), else the index} */
  private RuntimeException writeError(long index) {
    IOException poison = controller.poison();
    return closed
        ? StorageErrors.closed(path)
        : readOnly
            ? StorageErrors.readOnly(path)
            : poison != null ? StorageErrors.writeAfterPoison(path, poison) : indexError(index);
  }
}
