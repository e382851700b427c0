package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The per-element half of the protocol every vector follows (see {@link Storage}): the bounds, the
 * size and its publication, and the write gate, which the typed facades check on every access of
 * {@link #data()}; and the state the {@link SyncController} changes through its callbacks ({@link
 * #spaceChanged()}, {@link #blockWrites()}, {@link #closed()}, {@link #shown(long)}). The runs of
 * elements are {@link ElementEdits}'; opening, sync and close are {@link Storage}'s.
 *
 * <p>It is a base class, not a part held in a field, so that a facade's {@code
 * storage.writeIndex(i)} stays one final method on the storage object: no virtual call and no extra
 * field load per element. The only subclass chain is {@code ElementEdits}, then the final {@code
 * Storage}.
 *
 * <p><b>Threads:</b> as {@link Storage}: the owner thread; the size is published with release
 * semantics and read by the flusher with acquire semantics; {@link #closed()} and the other
 * callbacks run under the commit lock.
 */
abstract sealed class ElementAccess permits ElementEdits {
  private static final VarHandle SIZE;

  static {
    try {
      SIZE = MethodHandles.lookup().findVarHandle(ElementAccess.class, "size", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Path path;
  final VecOptions options;
  final ElementLayout layout;
  final long elementSize;
  final boolean readOnly;
  final SyncSchedule schedule;
  final DirtyTracker dirty;
  final SyncController controller;

  /**
   * Whether each mutating call counts down to the next sync ({@code SyncPolicy.everyWrites}). With
   * {@link #countsRewrites} the only per-call state besides the element: a {@code set} under any
   * other policy stores nothing else, which keeps random stores at array speed (a counter store per
   * call made them 1.6x slower: it holds a store-buffer entry behind every cache miss).
   */
  private final boolean countsWrites;

  /**
   * Whether each non-append mutating call is counted for a background committer ({@code
   * SyncPolicy.every}, the vector's own or its group's), which cannot read the owner's dirty range
   * race-free and needs the count to tell live readers about rewrites.
   */
  private boolean countsRewrites;

  /** {@link Mapping#data()}, kept here for the hot path. */
  MemorySegment data;

  /** The size; only this class writes it ({@link #publishSize}, {@link #dropSize}). */
  long size;

  /**
   * While writes are allowed, the capacity, or less where the prefaulted pages end ({@link
   * SyncController#appendCapacity()}); 0 otherwise: one compare guards an append, and the append
   * that crosses it takes the slow path that grows the file or prefaults the next window.
   */
  long appendLimit;

  private boolean writeBlocked;
  private boolean closed;

  /** Set on a column of a record stored column-wise: length changes are refused. */
  private String lengthFixed;

  /** Builds the parts of the opened file; a reader then adopts the newest visible commit. */
  ElementAccess(
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
    this.countsWrites = options.syncPolicy() instanceof SyncPolicy.EveryWrites;
    this.countsRewrites = options.syncPolicy() instanceof SyncPolicy.Every;
    this.dirty = new DirtyTracker(size);
    this.controller = new SyncController(this, backend, opened, schedule, dirty);
    spaceChanged();
    if (readOnly) {
      size = 0; // until the visibility gate says what a reader may show
      controller.openReader();
    }
  }

  /** {@return the mapped elements; index {@code i} is at byte {@code i * elementSize()}} */
  public final MemorySegment data() {
    return data;
  }

  /** {@return {@code index} if it is below the size, else throws IndexOutOfBoundsException} */
  public final long readIndex(long index) {
    // closed is checked here too: close() leaves the size as it was (a racing reader must not
    // read a zero), so the bounds check alone no longer refuses a read after close.
    if (Long.compareUnsigned(index, size) >= 0 || closed) {
      throw indexError(index);
    }
    return index;
  }

  /** {@return {@code index} if it is below the size and writes are allowed; marks it dirty} */
  public final long writeIndex(long index) {
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
  public final long appendSlot() {
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
  public final void appended(long index) {
    SIZE.setRelease(this, index + 1);
    countAppend();
  }

  /**
   * Counts one mutating call that may have changed elements below the size (anything but an
   * append), for {@code SyncPolicy.everyWrites} and the rewrite counter; call after the change.
   */
  public final void countMutation() {
    if (countsRewrites) {
      schedule.countRewrite();
    }
    countAppend();
  }

  /** Counts one appending call for {@code SyncPolicy.everyWrites}. */
  final void countAppend() {
    if (countsWrites && schedule.countDown()) {
      try {
        syncAfterWrites();
      } catch (IOException e) {
        String after = "sync after " + schedule.writesPerSync() + " writes failed";
        throw new UncheckedIOException(after, e);
      }
    }
  }

  /**
   * A group whose background flusher commits this column ({@code SyncPolicy.every} on the group,
   * the column itself opened {@code manual}): count rewrites from now on. Call before the first
   * mutating call.
   */
  final void countRewritesForBackgroundCommits() {
    countsRewrites = true;
  }

  /** The {@code everyWrites} count ran out: commit (the file, or its group). */
  abstract void syncAfterWrites() throws IOException;

  /** {@return {@code from} if {@code [from, from+count)} lies within the size} */
  public final long readRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || closed) {
      throw rangeError(from, count);
    }
    return from;
  }

  /** {@return {@code from} if {@code [from, from+count)} lies within the size and is writable} */
  public final long writeRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || writeBlocked) {
      throw writeBlocked ? writeError(from) : rangeError(from, count);
    }
    dirty.mark(from, from + count);
    return from;
  }

  /** {@return the size as an array length, or throws if a Java array cannot hold it} */
  public final int arrayLength() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw StorageErrors.tooLongForArray(path, n);
    }
    return (int) n;
  }

  /** {@return the number of elements} */
  public final long size() {
    checkOpen();
    return size;
  }

  /** {@return the number of elements the allocated file holds} */
  public final long capacity() {
    checkOpen();
    return controller.capacity();
  }

  /** {@return the size of one element in bytes} */
  public final long elementSize() {
    return elementSize;
  }

  /** {@return the element layout} */
  public final ElementLayout layout() {
    return layout;
  }

  /** {@return the path given at open} */
  public final Path path() {
    return path;
  }

  /** {@return the options given at open} */
  public final VecOptions options() {
    return options;
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
  public final UncheckedIOException fault(InternalError e) {
    IOException io = controller.poison(e);
    blockWrites();
    return new UncheckedIOException(io);
  }

  /** Publishes a larger size with release semantics: every element below it is stored. */
  final void publishSize(long newSize) {
    SIZE.setRelease(this, newSize);
  }

  /** Shortens to {@code newSize} (the dirty range follows). */
  final void dropSize(long newSize) {
    size = newSize;
    dirty.sizeDropped(newSize);
  }

  /** The slow path of an append of {@code extra} elements: grows the file, or prefaults. */
  final void growForAppend(long extra) {
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
   * Refuses (with {@code why}) or allows again every length change: for the columns of a record
   * stored column-wise, which only the record vector may lengthen or shorten.
   *
   * @param why the message of the refusal, or null to allow
   */
  public final void fixLength(String why) {
    lengthFixed = why;
    appendLimit = writeBlocked || why != null ? 0 : controller.appendCapacity();
  }

  final void checkLengthFree() {
    if (lengthFixed != null && !closed) {
      throw new UnsupportedOperationException(lengthFixed + " (" + path + ")");
    }
  }

  // ------------------------------------------------------------- for the SyncController only

  /** {@return the size as the owner last set it (the owner's own view)} */
  final long ownerSize() {
    return size;
  }

  /** {@return the size with acquire semantics: every element below it is stored} */
  final long publishedSize() {
    return (long) SIZE.getAcquire(this);
  }

  /** A reader adopted a commit of {@code newSize} elements (maybe remapped): show it. */
  final void shown(long newSize) {
    size = newSize;
    spaceChanged();
  }

  /** The file grew or shrank: follow the new mapping and capacity. */
  final void spaceChanged() {
    data = controller.mapping().data();
    appendLimit = writeBlocked || lengthFixed != null ? 0 : controller.appendCapacity();
  }

  /** A commit failed (rule 7): refuse every later write. */
  final void blockWrites() {
    writeBlocked = true;
    appendLimit = 0;
  }

  /**
   * The file is closing: every later access fails. The size is never zeroed: a reader on another
   * thread that passed the closed check must still see the right size; its next access of the
   * mapping then fails (the arena is closed).
   */
  final void closed() {
    closed = true;
    writeBlocked = true;
    appendLimit = 0;
  }

  /** {@return whether {@code close()} has run} */
  public final boolean isClosed() {
    return closed;
  }

  /** Throws {@link io.mmapvec.VecClosedException} if the storage is closed. */
  public final void checkOpen() {
    if (closed) {
      throw StorageErrors.closed(path);
    }
  }

  final void checkWritable() {
    if (writeBlocked) {
      throw writeError(0);
    }
  }

  /** {@return whether writes are refused (read-only, poisoned or closed)} */
  final boolean writeBlocked() {
    return writeBlocked;
  }

  final RuntimeException indexError(long index) {
    return closed ? StorageErrors.closed(path) : StorageErrors.index(path, index, size);
  }

  final RuntimeException rangeError(long from, long count) {
    return closed ? StorageErrors.closed(path) : StorageErrors.range(path, from, count, size);
  }

  /** {@return why a write is refused: closed, read-only, poisoned (rule 7), else the index} */
  final RuntimeException writeError(long index) {
    IOException poison = controller.poison();
    return closed
        ? StorageErrors.closed(path)
        : readOnly
            ? StorageErrors.readOnly(path)
            : poison != null ? StorageErrors.writeAfterPoison(path, poison) : indexError(index);
  }
}
