package io.mmapvec;

import io.mmapvec.internal.storage.Storage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every vector type does the same way: the methods of {@link Vec}, each one call into the
 * shared storage core. The typed vectors add only their element accesses.
 */
abstract class AbstractVec {
  /** The storage core: file, mapping, bounds, growth, sync. */
  final Storage s;

  AbstractVec(Storage storage) {
    this.s = storage;
  }

  /** {@return the number of elements} See {@link Vec#size()}. */
  public long size() {
    return s.size();
  }

  /** {@return the number of elements that fit without growing} See {@link Vec#capacity()}. */
  public long capacity() {
    return s.capacity();
  }

  /** {@return whether the vector is empty} See {@link Vec#isEmpty()}. */
  public boolean isEmpty() {
    return s.size() == 0;
  }

  /** {@return the size in bytes of one element} See {@link Vec#elementByteSize()}. */
  public long elementByteSize() {
    s.checkOpen();
    return s.elementBytes();
  }

  /** {@return the file, as given at open} See {@link Vec#path()}. */
  public Path path() {
    s.checkOpen();
    return s.path();
  }

  /** {@return the options given at open} See {@link Vec#options()}. */
  public VecOptions options() {
    s.checkOpen();
    return s.options();
  }

  /**
   * Shortens the vector; see {@link Vec#truncate(long)}.
   *
   * @param newSize the new size, at least 0
   */
  public void truncate(long newSize) {
    s.truncate(newSize);
  }

  /** Removes every element; see {@link Vec#clear()}. */
  public void clear() {
    s.truncate(0);
  }

  /**
   * Makes room for more elements now; see {@link Vec#reserve(long)}.
   *
   * @param additional how many more elements must fit
   * @throws IOException if the file cannot grow; the vector is unchanged
   */
  public void reserve(long additional) throws IOException {
    s.reserve(additional);
  }

  /**
   * Syncs, then shrinks the file to fit; see {@link Vec#shrinkToFit()}.
   *
   * @throws IOException if the sync or the shrink fails
   */
  public void shrinkToFit() throws IOException {
    s.shrinkToFit();
  }

  /** {@return a zero-copy view of the elements' bytes} See {@link Vec#asSegment()}. */
  public MemorySegment asSegment() {
    return s.asSegment();
  }

  /**
   * Shows the newest visible commit; see {@link Vec#refresh()}.
   *
   * @return the size shown from now on
   * @throws IOException if the file cannot be remapped, or was cut behind the locks
   */
  public long refresh() throws IOException {
    return s.refresh();
  }

  /**
   * Waits for a newer visible commit; see {@link Vec#awaitCommit(Duration)}.
   *
   * @param timeout the longest wait
   * @return the size shown from now on
   * @throws IOException as {@link #refresh()}
   * @throws InterruptedException if interrupted while waiting
   */
  public long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    return s.awaitCommit(timeout);
  }

  /** {@return the rewrite counter of the commit shown} See {@link Vec#rewriteCount()}. */
  public long rewriteCount() {
    return s.rewriteCount();
  }

  /** {@return counters since open} See {@link Vec#stats()}. */
  public VecStats stats() {
    return s.stats();
  }

  /**
   * Makes every change so far durable; see {@link Vec#sync()}.
   *
   * @throws IOException if the data or the header cannot be written to the device
   */
  public void sync() throws IOException {
    s.sync();
  }

  /**
   * Syncs a writable vector, unmaps and unlocks the file; idempotent. See {@link Vec#close()}.
   *
   * @throws IOException if the final sync fails; the file is still unmapped and unlocked
   */
  public void close() throws IOException {
    s.close();
  }

  /** {@return the type, file and size, for logs} */
  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + s.path()
        + (s.isClosed() ? ", closed]" : ", size=" + s.size() + "]");
  }
}
