package io.mmapvec;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What every mmapvec vector has in common, whatever its element type: a growable sequence of
 * fixed-size elements stored in a memory-mapped file, indexed by {@code long}.
 *
 * <p><b>Threads:</b> a vector is not thread-safe: one thread at a time, or external
 * synchronisation. {@link #close()} may be called from another thread; the other thread then gets
 * an exception, never a crash.
 *
 * <p><b>Durability:</b> changes reach the device when {@link #sync()} or {@link #close()} returns.
 * After a crash or power loss the file opens with the length and contents of the last sync that
 * returned normally; elements changed since may hold old or new values (docs/DURABILITY.md).
 *
 * <p><b>Lifetime:</b> after {@link #close()} every method throws {@link VecClosedException}, except
 * {@code close()}, which does nothing the second time.
 */
public sealed interface Vec extends Closeable
    permits ByteVec, ShortVec, IntVec, LongVec, FloatVec, DoubleVec, StructVec {

  /** {@return the number of elements} */
  long size();

  /** {@return the number of elements the file holds room for without growing} */
  long capacity();

  /** {@return whether {@link #size()} is zero} */
  boolean isEmpty();

  /** {@return the size in bytes of one element} */
  long elementSize();

  /** {@return the file this vector lives in, as given at open} */
  Path path();

  /** {@return the options the vector was opened with} */
  VecOptions options();

  /**
   * Shortens the vector to {@code newSize} elements; does nothing if it is not shorter. The file
   * keeps its capacity.
   *
   * @param newSize the new size, at least 0
   * @throws IllegalArgumentException if {@code newSize} is negative
   * @throws UnsupportedOperationException if the vector is read-only
   */
  void truncate(long newSize);

  /**
   * Removes every element; the capacity stays. Same as {@code truncate(0)}.
   *
   * @throws UnsupportedOperationException if the vector is read-only
   */
  void clear();

  /**
   * Makes room for at least {@code additional} more elements without further growth, allocating the
   * file's blocks now (so that a full disk fails here, not later).
   *
   * @param additional how many more elements must fit
   * @throws IOException if the file cannot grow (for example, the disk is full); the vector is
   *     unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  void reserve(long additional) throws IOException;

  /**
   * Syncs, then shrinks the file to the smallest page multiple that holds the elements. The smaller
   * length is committed before the file shrinks, so a crash at any point leaves a file that opens.
   * Segments from {@link #asSegment()} are invalidated.
   *
   * @throws IOException if the sync or the shrink fails
   * @throws UnsupportedOperationException if the vector is read-only
   */
  void shrinkToFit() throws IOException;

  /**
   * {@return a view of the elements' bytes, {@code size() * elementSize()} long, zero-copy} Writes
   * through a view of a writable vector are data like any other and are flushed by the next {@link
   * #sync()}. The view of a read-only vector is read-only. A view stays valid until the vector is
   * closed, shrunk by {@link #shrinkToFit()} or remapped by growth beyond its address reservation;
   * using it after that throws {@link IllegalStateException}, never crashes.
   */
  MemorySegment asSegment();

  /**
   * Makes every change so far durable: the data first, then the committed length (durability rule
   * 3). Costs next to nothing when nothing changed since the last sync.
   *
   * <p>Does nothing on a read-only vector.
   *
   * @throws IOException if the data or the header cannot be written to the device
   */
  void sync() throws IOException;

  /**
   * {@return counters since open: syncs, bytes synced, last sync latency, growths, remaps} Safe to
   * call while a background flusher runs.
   */
  VecStats stats();

  /**
   * Syncs a writable vector, unmaps the file and releases its locks. Idempotent: closing a closed
   * vector does nothing.
   *
   * @throws IOException if the final sync fails; the file is still unmapped and unlocked
   */
  @Override
  void close() throws IOException;
}
