package io.mmapvec.internal.storage;

import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.NoSuchElementException;

/**
 * The edits of the element protocol (see {@link Storage}) that change the length or move runs of
 * elements: a bulk append, opening and closing a gap, swap-remove, pop, truncate, resize, and a
 * view of all elements. Each checks the write gate and the fixed length ({@link ElementAccess}),
 * grows the file through the slow path of an append, and publishes a larger size only after its
 * stores, so the flusher never commits an unwritten element.
 *
 * <p>A base class of {@link Storage}, for the same reason as {@link ElementAccess}: a facade's call
 * stays one final method on the storage object.
 *
 * <p><b>Threads:</b> the owner thread only, like every edit of a vector.
 */
abstract sealed class ElementEdits extends ElementAccess permits Storage {

  ElementEdits(
      Path path,
      VecOptions options,
      ElementLayout layout,
      Backend backend,
      FileOpener.OpenedFile opened)
      throws IOException {
    super(path, options, layout, backend, opened);
  }

  /**
   * Appends the elements in {@code src} (native byte order, a whole number of elements), growing
   * the file if needed; the size is published after the copy.
   */
  public final void appendFrom(MemorySegment src) {
    checkWritable();
    checkLengthFree();
    long count = src.byteSize() / elementSize;
    long n = size;
    if (count > appendLimit - n) {
      growForAppend(count);
    }
    copy(src, 0, n, count);
    publishSize(n + count);
    countAppend();
  }

  /**
   * Opens a gap of {@code count} elements at {@code index} (0 to size), shifting the tail up; the
   * caller fills the gap, then calls {@link #inserted(long)}. {@return index}
   */
  public final long openGap(long index, long count) {
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
  public final void inserted(long count) {
    publishSize(size + count);
    countMutation();
  }

  /** Removes {@code count} elements at {@code index}, shifting the tail down. */
  public final void closeGap(long index, long count) {
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
  public final void swapRemove(long index) {
    checkLengthFree();
    long last = size - 1;
    if (index != last) {
      moveElements(last, index, 1);
    }
    dropSize(last);
    countMutation();
  }

  /** {@return the index of the last element, which is removed (its bytes stay readable now)} */
  public final long popIndex() {
    checkLengthFree();
    if (size == 0 || writeBlocked()) {
      if (isClosed() || writeBlocked()) {
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
  public final void truncate(long newSize) {
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
  public final void resize(long newSize, MemorySegment fill) {
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
      publishSize(newSize);
      countAppend(); // nothing below the old size changed
      return;
    }
    countMutation();
  }

  /** {@return a view of the elements' bytes} */
  public final MemorySegment asSegment() {
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
}
