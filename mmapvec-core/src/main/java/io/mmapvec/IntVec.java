// GENERATED FILE, do not edit: written from mmapvec-core/src/template/PrimitiveVec.java.template
// by java mmapvec-core/src/test/java/io/mmapvec/FacadeGenerator.java
// (run from the repository root); GeneratedFacadesTest fails when the two differ.
package io.mmapvec;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.Storage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * A growable vector of {@code int} values stored in a memory-mapped file.
 *
 * <pre>{@code
 * try (IntVec v = IntVec.open(Path.of("values.vec"))) {
 *   v.add(7);
 *   v.set(0, 9);
 *   v.sync(); // durable from here on
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> not thread-safe; one thread at a time, or external synchronisation. {@link
 * #close()} may come from another thread: a thread still reading then gets an exception, never a
 * crash.
 *
 * <p><b>Durability:</b> changes reach the device when {@link #sync()} or {@link #close()} returns,
 * or as the {@link SyncPolicy} chosen at open says; after a crash the file opens as it was at the
 * last sync, except that elements changed since may hold old or new values.
 *
 * <p><b>Lifetime:</b> after {@link #close()} every method throws {@link VecClosedException}.
 * Memory belongs to the operating system's page cache, not to the Java heap.
 */
public final class IntVec extends AbstractVec implements Vec {
  private static final ValueLayout.OfInt ELEMENT = ValueLayout.JAVA_INT;
  private static final ElementLayout LAYOUT = ElementLayout.of(ElementType.INT);

  IntVec(Storage storage) {
    super(storage);
  }

  /**
   * Opens the vector in {@code path}, creating it if it does not exist, with {@link
   * VecOptions#defaults()}: writable, exclusively locked.
   *
   * @param path the file
   * @return the open vector
   * @throws VecFormatException if the file is not a {@code int} vector with the default magic and
   *     data version, or is damaged; the file is left as it was
   * @throws VecLockedException if another process, or this JVM, has the file open
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static IntVec open(Path path) throws IOException {
    return open(path, VecOptions.defaults());
  }

  /**
   * Opens the vector in {@code path} as {@code options} say; a writable open creates the file if
   * it does not exist, atomically (a crash never leaves a half-made file under this name).
   *
   * @param path the file
   * @param options magic, data version, read-only, sync policy
   * @return the open vector
   * @throws VecFormatException if the file's magic, data version or element type differ from the
   *     ones asked for, or the file is damaged; the file is left as it was
   * @throws VecLockedException if another process, or this JVM, holds a conflicting lock
   * @throws java.nio.file.NoSuchFileException if a read-only open finds no file
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static IntVec open(Path path, VecOptions options) throws IOException {
    return open(path, options, Backend.current());
  }

  static IntVec open(Path path, VecOptions options, Backend backend) throws IOException {
    return new IntVec(Storage.open(path, options, LAYOUT, backend));
  }

  /**
   * {@return the element at {@code index}}
   *
   * @param index from 0 to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public int get(long index) {
    return load(storage.readIndex(index));
  }

  /**
   * Replaces the element at {@code index}.
   *
   * @param index from 0 to {@code size() - 1}
   * @param value the new value
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void set(long index, int value) {
    store(storage.writeIndex(index), value);
    storage.countMutation();
  }

  /**
   * Appends {@code value}, growing the file when the capacity is exhausted.
   *
   * @param value the value
   * @throws java.io.UncheckedIOException if the file cannot grow (for example, the disk is full);
   *     the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void add(int value) {
    long i = storage.appendSlot();
    store(i, value);
    storage.appended(i);
  }

  /**
   * Appends all of {@code values}.
   *
   * @param values the values, in order
   * @throws java.io.UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void addAll(int[] values) {
    storage.appendFrom(MemorySegment.ofArray(values));
  }

  /**
   * Inserts {@code value} at {@code index}, shifting the elements from there up by one.
   *
   * @param index from 0 to {@code size()}
   * @param value the value
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws java.io.UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void insertAt(long index, int value) {
    store(storage.openGap(index, 1), value);
    storage.inserted(1);
  }

  /**
   * Removes the element at {@code index}, shifting the elements after it down by one.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed element
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public int removeAt(long index) {
    long i = storage.writeIndex(index);
    int removed = load(i);
    storage.closeGap(i, 1);
    return removed;
  }

  /**
   * Removes the element at {@code index} by moving the last element into its place: constant
   * time, but the order changes.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed element
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public int swapRemoveAt(long index) {
    long i = storage.writeIndex(index);
    int removed = load(i);
    storage.swapRemove(i);
    return removed;
  }

  /**
   * Removes the last element.
   *
   * @return the removed element
   * @throws NoSuchElementException if the vector is empty
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public int removeLast() {
    return load(storage.popIndex());
  }

  // The single-element access of get, set, add, insertAt and the removes, in two methods (one
  // place for the fault handling) so that get, set and add stay below the 35 bytecode bytes the
  // JIT inlines at any call site, hot or not (MaxInlineSize). With the handler written into them,
  // set and add were 51 and 49 bytes, and a call site the JIT did not count as hot (a user's
  // wrapper, the first compilation of a loop) made a call per element. A fault on the mapped
  // memory (a full disk under a sparse page, a file truncated by another process) poisons the
  // vector and is thrown as an I/O error.

  private int load(long i) {
    try {
      return storage.data().getAtIndex(ELEMENT, i);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
  }

  private void store(long i, int value) {
    try {
      storage.data().setAtIndex(ELEMENT, i, value);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
  }

  /**
   * Sets the size to {@code newSize}: shortens the vector, or appends copies of {@code fill}.
   *
   * @param newSize the new size, at least 0
   * @param fill the value of new elements
   * @throws IllegalArgumentException if {@code newSize} is negative
   * @throws java.io.UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void resize(long newSize, int fill) {
    storage.resize(newSize, MemorySegment.ofArray(new int[] {fill}));
  }

  /**
   * Copies {@code length} elements starting at {@code fromIndex} into {@code dst}.
   *
   * @param fromIndex the first element to copy
   * @param dst the destination array
   * @param dstOffset where in {@code dst} the first element goes
   * @param length how many elements
   * @throws IndexOutOfBoundsException if a range is out of bounds
   */
  public void copyTo(long fromIndex, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    long from = storage.readRange(fromIndex, length);
    try {
      MemorySegment.copy(storage.data(), ELEMENT, from * ELEMENT.byteSize(), dst, dstOffset, length);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
  }

  /**
   * Overwrites {@code length} elements starting at {@code toIndex} with values from {@code src}.
   *
   * @param toIndex the first element to overwrite
   * @param src the source array
   * @param srcOffset where in {@code src} the first value is
   * @param length how many elements
   * @throws IndexOutOfBoundsException if a range is out of bounds
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void copyFrom(long toIndex, int[] src, int srcOffset, int length) {
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    long to = storage.writeRange(toIndex, length);
    try {
      MemorySegment.copy(src, srcOffset, storage.data(), ELEMENT, to * ELEMENT.byteSize(), length);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
    storage.countMutation();
  }

  /**
   * {@return the elements, copied into a new array}
   *
   * @throws IllegalStateException if there are more elements than a Java array can hold
   */
  public int[] toArray() {
    int n = storage.arrayLength();
    int[] a = new int[n];
    try {
      MemorySegment.copy(storage.data(), ELEMENT, 0, a, 0, n);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
    return a;
  }

  /**
   * {@return a stream of the elements} The stream covers the elements present when this
   * method is called; it may be made parallel, since each element is read independently.
   */
  public IntStream stream() {
    return LongStream.range(0, storage.size()).mapToInt(this::get);
  }

  /**
   * {@return an iterator over the elements} Fail-fast like {@code java.util}'s: if the size
   * changes while it is in use (other than through it), its {@code next} throws {@link
   * ConcurrentModificationException}, on a best-effort basis (a change that restores the size is
   * not seen).
   */
  public PrimitiveIterator.OfInt iterator() {
    long size = storage.size();
    return new PrimitiveIterator.OfInt() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public int nextInt() {
        if (storage.size() != size) {
          throw new ConcurrentModificationException(
              "size changed from " + size + " to " + storage.size() + " while iterating (" + storage.path()
                  + ")");
        }
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return get(next++);
      }
    };
  }

  /**
   * Passes every element, in order, to {@code action}.
   *
   * @param action what to do with each element
   * @throws ConcurrentModificationException if {@code action} changes the size (best effort, as
   *     in {@code java.util})
   */
  public void forEach(IntConsumer action) {
    MemorySegment d = storage.data();
    long n = storage.size();
    for (long i = 0; i < n; i++) {
      if (storage.size() != n) {
        throw new ConcurrentModificationException(
            "size changed from " + n + " to " + storage.size() + " in forEach (" + storage.path() + ")");
      }
      int x;
      try {
        x = d.getAtIndex(ELEMENT, i);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      action.accept(x);
    }
    if (storage.size() != n) {
      throw new ConcurrentModificationException(
          "size changed from " + n + " to " + storage.size() + " in forEach (" + storage.path() + ")");
    }
  }
}
