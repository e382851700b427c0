# Writes the six primitive vector classes (ByteVec ... DoubleVec) from one template, so that they
# stay identical but for their element type. Not part of the build: run it after changing the
# template, review the diff, commit the Java files. Usage: python3 dev/gen_facades.py mmapvec-core/src/main/java/io/mmapvec
import sys
TEMPLATE = r'''package io.mmapvec;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.Storage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.function.@SN@Consumer;
import java.util.stream.@SN@Stream;

/**
 * A growable vector of {@code @T@} values stored in a memory-mapped file.
 *
 * <pre>{@code
 * try (@C@ v = @C@.open(Path.of("values.vec"))) {
 *   v.add(@EX1@);
 *   v.set(0, @EX2@);
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
public final class @C@ extends AbstractVec implements Vec {
  private static final ValueLayout.Of@B@ ELEMENT = ValueLayout.JAVA_@U@;
  private static final ElementLayout LAYOUT = ElementLayout.of(ElementType.@U@);

  private @C@(Storage storage) {
    super(storage);
  }

  /**
   * Opens the vector in {@code path}, creating it if it does not exist, with {@link
   * VecOptions#defaults()}: writable, exclusively locked.
   *
   * @param path the file
   * @return the open vector
   * @throws VecFormatException if the file is not a {@code @T@} vector with the default magic and
   *     data version, or is damaged; the file is left as it was
   * @throws VecLockedException if another process, or this JVM, has the file open
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static @C@ open(Path path) throws IOException {
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
  public static @C@ open(Path path, VecOptions options) throws IOException {
    return open(path, options, Backend.current());
  }

  static @C@ open(Path path, VecOptions options, Backend backend) throws IOException {
    return new @C@(Storage.open(path, options, LAYOUT, backend));
  }

  /**
   * {@return the element at {@code index}}
   *
   * @param index from 0 to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public @T@ get(long index) {
    return storage.data().getAtIndex(ELEMENT, storage.readIndex(index));
  }

  /**
   * Replaces the element at {@code index}.
   *
   * @param index from 0 to {@code size() - 1}
   * @param value the new value
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void set(long index, @T@ value) {
    long i = storage.writeIndex(index);
    storage.data().setAtIndex(ELEMENT, i, value);
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
  public void add(@T@ value) {
    long i = storage.appendSlot();
    storage.data().setAtIndex(ELEMENT, i, value);
    storage.appended(i);
  }

  /**
   * Appends all of {@code values}.
   *
   * @param values the values, in order
   * @throws java.io.UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void addAll(@T@[] values) {
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
  public void insertAt(long index, @T@ value) {
    long i = storage.openGap(index, 1);
    storage.data().setAtIndex(ELEMENT, i, value);
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
  public @T@ removeAt(long index) {
    long i = storage.writeIndex(index);
    @T@ removed = storage.data().getAtIndex(ELEMENT, i);
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
  public @T@ swapRemoveAt(long index) {
    long i = storage.writeIndex(index);
    @T@ removed = storage.data().getAtIndex(ELEMENT, i);
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
  public @T@ removeLast() {
    long i = storage.popIndex();
    return storage.data().getAtIndex(ELEMENT, i);
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
  public void resize(long newSize, @T@ fill) {
    storage.resize(newSize, MemorySegment.ofArray(new @T@[] {fill}));
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
  public void copyTo(long fromIndex, @T@[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    long from = storage.readRange(fromIndex, length);
    MemorySegment.copy(storage.data(), ELEMENT, from * ELEMENT.byteSize(), dst, dstOffset, length);
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
  public void copyFrom(long toIndex, @T@[] src, int srcOffset, int length) {
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    long to = storage.writeRange(toIndex, length);
    MemorySegment.copy(src, srcOffset, storage.data(), ELEMENT, to * ELEMENT.byteSize(), length);
    storage.countMutation();
  }

  /**
   * {@return the elements, copied into a new array}
   *
   * @throws IllegalStateException if there are more elements than a Java array can hold
   */
  public @T@[] toArray() {
    int n = storage.arrayLength();
    @T@[] a = new @T@[n];
    MemorySegment.copy(storage.data(), ELEMENT, 0, a, 0, n);
    return a;
  }

  /**
   * {@return a stream of the elements@WIDE@} The stream covers the elements present when this
   * method is called; it may be made parallel, since each element is read independently.
   */
  public @SN@Stream stream() {
    return @SN@Stream.iterate@ITER@;
  }

  /** {@return an iterator over the elements@WIDE@} */
  public PrimitiveIterator.Of@SN@ iterator() {
    storage.checkOpen();
    return new PrimitiveIterator.Of@SN@() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < storage.size();
      }

      @Override
      public @W@ next@SN@() {
        if (next >= storage.size()) {
          throw new NoSuchElementException();
        }
        return get(next++);
      }
    };
  }

  /**
   * Passes every element, in order, to {@code action}.
   *
   * @param action what to do with each element@WIDE@
   */
  public void forEach(@SN@Consumer action) {
    MemorySegment d = storage.data();
    long n = storage.size();
    for (long i = 0; i < n; i++) {
      action.accept(d.getAtIndex(ELEMENT, i));
    }
  }
}
'''
types = {
  # prim: (Box, SN(stream name), W(widened), EX1, EX2)
  'byte':   ('Byte',   'Int',    'int',    '(byte) 7', '(byte) 9'),
  'short':  ('Short',  'Int',    'int',    '(short) 7', '(short) 9'),
  'int':    ('Int',    'Int',    'int',    '7', '9'),
  'long':   ('Long',   'Long',   'long',   '7L', '9L'),
  'float':  ('Float',  'Double', 'double', '7.5f', '9.5f'),
  'double': ('Double', 'Double', 'double', '7.5', '9.5'),
}
out = sys.argv[1]
for t, (box, sn, w, ex1, ex2) in types.items():
    src = TEMPLATE
    widened = t != w
    stream = f"LongStream.range(0, storage.size()).map{'ToInt' if sn=='Int' else 'ToDouble' if sn=='Double' else ''}(this::get)"
    src = src.replace("return @SN@Stream.iterate@ITER@;", "return " + stream + ";")
    if sn != 'Long':
        src = src.replace("import java.util.stream.@SN@Stream;", "import java.util.stream.@SN@Stream;\nimport java.util.stream.LongStream;")
    src = (src.replace('@C@', box + 'Vec').replace('@B@', box).replace('@U@', t.upper())
              .replace('@T@', t).replace('@SN@', sn).replace('@W@', w)
              .replace('@EX1@', ex1).replace('@EX2@', ex2)
              .replace('@WIDE@', f", widened to {w}" if widened else ""))
    open(f"{out}/{box}Vec.java", 'w').write(src)
