package io.mmapvec;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

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
   * Segments from {@link #asSegment()} are invalidated. While a live reader (a read-only open, in
   * any process) has the file open, the file is not truncated, since the reader may have the tail
   * mapped: the shrink is deferred and retried at every later sync and at close.
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
   * Shows the newest commit that is visible now, and returns its size. For a read-only vector (a
   * <em>live reader</em>, which may be open while one writer in this or another process works on
   * the file): reads the commit slots, and if a newer commit is visible, remaps if the file grew
   * and adopts its size and {@link #rewriteCount()}. A commit is visible only once its slot is
   * durable (docs/FORMAT.md, "Live readers"), so a reader never shows a size that a power loss
   * could take back. Until the next call, {@link #size()} stays fixed; every element below it holds
   * the value of that commit or a newer value the writer stored since. When nothing changed it
   * costs two memory loads and no system call.
   *
   * <p>For a writable vector, returns {@link #size()}: a writer always sees its own changes.
   *
   * <p><b>Threads:</b> the vector's one thread, like every other method. Segments from {@link
   * #asSegment()} stay valid unless the refresh remapped (growth beyond the reader's address
   * reservation). <b>After close:</b> throws {@link VecClosedException}.
   *
   * @return the size of the commit shown from now on
   * @throws IOException if the file cannot be remapped, or was cut shorter behind the locks
   */
  long refresh() throws IOException;

  /**
   * Waits until a commit newer than the one this reader shows is visible, shows it (as {@link
   * #refresh()} does) and returns its size; or returns the current size when {@code timeout} passes
   * first. Polls with a backoff (a short spin, then parking from 20 microseconds up to 1
   * millisecond between looks); it never busy-waits for long.
   *
   * <p><b>Threads:</b> the vector's one thread. A {@link #close()} from another thread ends the
   * wait with {@link VecClosedException} within about a millisecond. A writable vector returns
   * {@link #size()} at once: it always shows its own newest state.
   *
   * @param timeout the longest wait; zero or negative looks once
   * @return the size of the commit shown from now on
   * @throws IOException as {@link #refresh()}
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws UnsupportedOperationException if the vector is read-only through the {@code
   *     FileChannel} fallback, which keeps writers out while it is open (so no commit can come)
   */
  long awaitCommit(Duration timeout) throws IOException, InterruptedException;

  /**
   * {@return the rewrite counter of the commit this vector shows} Every commit that changed an
   * element below the previous commit's size (set, insert, remove, truncate, a write through a
   * writable {@link #asSegment()} view) counts one more. A live reader compares it before and after
   * {@link #refresh()}: equal means the elements below the size it saw before did not change in the
   * commits between (only new elements were appended); different means they may have changed, so
   * re-read them. Under {@code SyncPolicy.every} the background flusher counts conservatively (any
   * non-append change since its previous commit) and may count a change one commit late, never not
   * at all. Files written by older versions start at 0; compare for equality, not order.
   *
   * <p><b>Durable:</b> with its commit. <b>Threads:</b> the vector's one thread. <b>After
   * close:</b> throws {@link VecClosedException}.
   */
  long rewriteCount();

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
