package io.mmapvec.internal.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A read-only open following its writer (rule 15): adopts the newest commit the visibility gate
 * allows at open, at {@link #refresh()} and while {@link #awaitCommit(Duration)} waits, and tells
 * the storage the size it shows. What the reader shows, and the remap when the file grew, are the
 * {@link LiveView}'s; this part decides when to look and waits.
 *
 * <p><b>Threads:</b> the owner thread; adopting a commit takes the file's commit lock (the {@link
 * SyncController}'s), so a {@code close()} from another thread never unmaps under it. The cheap
 * check whether a newer commit may exist runs without the lock.
 */
final class LiveReader {
  private final ElementAccess storage;
  private final Path path;
  private final LiveView live;
  private final ReentrantLock commitLock;

  /** Whether this read-only open may run next to a writer (the native backend). */
  private final boolean liveReading;

  LiveReader(ElementAccess storage, LiveView live, ReentrantLock commitLock, boolean liveReading) {
    this.storage = storage;
    this.path = storage.path();
    this.live = live;
    this.commitLock = commitLock;
    this.liveReading = liveReading;
  }

  /** The open: adopts the newest visible commit (a writer may be at work) and shows its size. */
  void open() throws IOException {
    commitLock.lock();
    try {
      live.adoptNewer();
      storage.shown(live.size());
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * A column of a read-only group: adopts the file's own newest visible commit (which remaps if the
   * file grew; the group writer made the column's slot durable and published it before the manifest
   * slot), then shows {@code groupSize}, the group commit's length for this column.
   *
   * @throws io.mmapvec.VecFormatException TRUNCATED if the file holds fewer elements
   */
  void followGroup(long groupSize) throws IOException {
    commitLock.lock();
    try {
      storage.checkOpen();
      live.adoptNewer();
      if (groupSize > live.capacity()) {
        throw new io.mmapvec.VecFormatException(
            io.mmapvec.VecFormatException.Reason.TRUNCATED,
            "column file holds "
                + live.capacity()
                + " elements, the group commit says "
                + groupSize
                + ": the file was shortened",
            path);
      }
      storage.shown(groupSize);
    } finally {
      commitLock.unlock();
    }
  }

  /** See {@link io.mmapvec.Vec#refresh()}. {@return the size shown from now on} */
  long refresh() throws IOException {
    storage.checkOpen();
    boolean newer;
    try {
      newer = live.mayHaveNewer();
    } catch (IllegalStateException e) {
      storage.checkOpen(); // closed by another thread meanwhile: say so
      throw e;
    }
    if (newer) {
      commitLock.lock();
      try {
        storage.checkOpen();
        if (live.adoptNewer()) {
          storage.shown(live.size());
        }
      } finally {
        commitLock.unlock();
      }
    }
    return storage.ownerSize();
  }

  /**
   * See {@link io.mmapvec.Vec#awaitCommit(Duration)}: refreshes until the shown commit changes or
   * the timeout passes; spins briefly, then parks for up to 1 ms at a time. {@return the size shown
   * from now on}
   */
  long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    storage.checkOpen();
    if (!liveReading) {
      throw new UnsupportedOperationException(
          "live reading needs the native backend (run with --enable-native-access); the"
              + " FileChannel fallback keeps writers out while a reader is open, so no commit"
              + " can come ("
              + path
              + ")");
    }
    long held = live.sequence();
    long deadline;
    try {
      deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    } catch (ArithmeticException e) {
      deadline = System.nanoTime() + Long.MAX_VALUE / 2;
    }
    int spins = 0;
    long pauseNanos = 20_000;
    while (true) {
      long n = refresh();
      if (live.sequence() != held) {
        return n;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for a commit (" + path + ")");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return n;
      }
      if (spins < 50) {
        spins++;
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(Math.min(pauseNanos, left));
        pauseNanos = Math.min(pauseNanos * 2, 1_000_000);
      }
    }
  }

  /** {@return the sequence of the commit shown (0: none yet)} */
  long sequence() {
    return live.sequence();
  }

  /** {@return the rewrite counter of the commit shown} */
  long rewrites() {
    return live.rewrites();
  }

  /** {@return the elements the allocated file held when the shown commit was adopted} */
  long capacity() {
    return live.capacity();
  }
}
