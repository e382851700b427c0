package io.mmapvec.internal.storage;

import io.mmapvec.VecStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything that changes the file or makes it durable, under one lock, the commit lock: growth,
 * sync (by the owner, the {@code everyWrites} policy and the background flusher of {@code
 * SyncPolicy.every}), shrink, stats and close. It owns the open file's parts ({@link Mapping},
 * {@link FileSpace}, {@link Committer}, {@link StorageStats}, and for a read-only open the {@link
 * LiveReader}) and tells its {@link Storage} when the mapping moved, writes must stop, or the file
 * closed.
 *
 * <p><b>Threads:</b> every method takes the commit lock; {@link #backgroundSync()} only tries it,
 * and never touches the owner's dirty range: it flushes everything below a size read with acquire
 * semantics (see {@link Storage}).
 */
final class SyncController {
  private final ElementAccess storage;
  private final Path path;
  private final boolean readOnly;
  private final String backendName;
  private final LockedFile file;
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Mapping mapping;
  private final StorageStats stats;
  private final Committer committer;
  private final FileSpace space;
  private final DirtyTracker dirty;
  private final SyncSchedule schedule;

  /** A read-only open following its writer; null for a writer. */
  private final LiveReader reader;

  /** A {@link #shrinkToFit()} found live readers: truncate at a later sync or close. */
  private boolean shrinkPending;

  /** Maps the opened file and builds its parts. */
  SyncController(
      ElementAccess storage,
      Backend backend,
      FileOpener.OpenedFile opened,
      SyncSchedule schedule,
      DirtyTracker dirty)
      throws IOException {
    this.storage = storage;
    this.path = storage.path();
    this.readOnly = storage.options().readOnly();
    this.backendName = backend.name();
    this.file = opened.locked();
    this.dirty = dirty;
    this.schedule = schedule;
    long elementSize = storage.elementSize();
    long pageSize = backend.pageSize();
    BackendFile f = file.file();
    if (!readOnly) {
      // Rule 5 for a file this library did not grow (cp --sparse=always, tar -S, rsync -S): give
      // every hole below the file size its blocks now, so a store never faults on a full disk.
      // Where the blocks exist this costs nothing.
      f.fillHoles(opened.fileBytes());
    }
    boolean liveReading = readOnly && backend.liveReaders();
    boolean reserve = backend.reservesAddressSpace() && (!readOnly || liveReading);
    this.mapping = new Mapping(f, readOnly, reserve, opened.fileBytes());
    this.stats = new StorageStats(path);
    this.committer = new Committer(path, f, mapping, stats, elementSize, pageSize, opened.header());
    this.space =
        new FileSpace(
            path, f, mapping, committer, stats, elementSize, pageSize, opened.fileBytes());
    this.reader =
        readOnly
            ? new LiveReader(
                storage, new LiveView(path, f, mapping, elementSize), commitLock, liveReading)
            : null;
    if (!readOnly) {
      committer.publishAtOpen();
    }
  }

  /** A reader's open: see {@link LiveReader#open()}. Called once, after the storage is built. */
  void openReader() throws IOException {
    reader.open();
  }

  /** See {@link io.mmapvec.Vec#refresh()}. {@return the size shown from now on} */
  long refresh() throws IOException {
    if (reader != null) {
      return reader.refresh();
    }
    storage.checkOpen();
    return storage.ownerSize();
  }

  /**
   * A reader column of a group: shows {@code groupSize} elements, the group commit's length for
   * this column, after adopting the file's own newest visible commit (which remaps if the file
   * grew; the group writer made the column's slot durable and published before the manifest slot).
   *
   * @throws IOException if the file holds fewer elements (it was cut behind the locks)
   */
  void followGroup(long groupSize) throws IOException {
    reader.followGroup(groupSize);
  }

  /** See {@link io.mmapvec.Vec#awaitCommit(Duration)}. {@return the size shown from now on} */
  long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    if (reader != null) {
      return reader.awaitCommit(timeout);
    }
    storage.checkOpen();
    return storage.ownerSize(); // a writer always shows its own newest state
  }

  /** {@return the sequence of the commit written last (writer) or shown (reader; 0: none yet)} */
  long commitSequence() {
    storage.checkOpen();
    return readOnly ? reader.sequence() : committer.sequence();
  }

  /** {@return the rewrite counter of the commit written last (writer) or shown (reader)} */
  long rewriteCount() {
    storage.checkOpen();
    return readOnly ? reader.rewrites() : committer.rewrites();
  }

  /** {@return the current mapping} */
  Mapping mapping() {
    return mapping;
  }

  /** {@return the elements the allocated file holds (a reader: when it adopted its commit)} */
  long capacity() {
    return readOnly ? reader.capacity() : space.capacity();
  }

  /** {@return the failure that poisoned the file (rule 7), or null} */
  IOException poison() {
    return committer.poison();
  }

  /** Poisons the file (unless it already is) after a fault of mapped memory. {@return the fault} */
  IOException poison(InternalError fault) {
    IOException io = StorageErrors.fault(path, fault);
    committer.poison(io);
    return io;
  }

  /**
   * {@return how many elements an append may store without coming back to {@link #grow}}: the
   * capacity, or less where the prefaulted pages end.
   */
  long appendCapacity() {
    return space.prefaultedCapacity();
  }

  /**
   * Grows the file so at least {@code needed} elements fit (see {@link FileSpace#grow}); for an
   * append, then prefaults the pages it will store into and a bounded window beyond ({@link
   * FileSpace#prefault}). {@code reserve} does not prefault, so a huge reservation makes nothing
   * resident. Both run under the commit lock: a {@code close()} from another thread waits for the
   * prefault's writes, so they never reach a closed (or reused) descriptor.
   *
   * @param needed the elements that must fit
   * @param forAppend whether an append will store up to {@code needed} elements now
   */
  void grow(long needed, boolean forAppend) throws IOException {
    commitLock.lock();
    try {
      storage.checkWritable();
      if (needed > space.capacity()) {
        space.grow(needed);
      }
      if (forAppend) {
        space.prefault(storage.ownerSize(), needed);
      }
    } finally {
      storage.spaceChanged();
      commitLock.unlock();
    }
  }

  /** Rule 3: commits the owner's changes: the dirty data, then the size. */
  void sync(SyncTrigger trigger) throws IOException {
    commitLock.lock();
    try {
      storage.checkOpen();
      if (readOnly) {
        return;
      }
      committer.checkNotPoisoned();
      long n = storage.ownerSize();
      long lo = dirty.flushFrom(n);
      long committed = committer.committedSize();
      boolean rewrote = dirty.viewsOut() || lo < committed || n < committed;
      long mark = schedule.rewriteMark();
      commit(trigger, n, lo, dirty.flushTo(n), rewrote);
      schedule.rewritesCommitted(mark);
      dirty.committed(n);
      file.checkStillAt(path); // one stat: the sync went into a file nobody can open?
      if (shrinkPending && trigger != SyncTrigger.SHRINK) {
        shrinkIfNoReaders();
      }
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * The flusher's sync ({@code SyncPolicy.every}): the whole data range below a size the vector had
   * (the kernel writes only the dirty pages), then that size. Never throws: a failure poisons the
   * vector, and the owner sees it at its next sync, close or write.
   */
  void backgroundSync() {
    if (!commitLock.tryLock()) {
      return; // the owner is syncing or growing right now; try again next interval
    }
    try {
      if (storage.isClosed() || committer.poison() != null) {
        return;
      }
      long n = storage.publishedSize();
      // The owner's dirty range cannot be read race-free: any non-append call since the last
      // commit counts as a rewrite. Racy reads: a call racing them is counted in the next round.
      long rewriteMark = schedule.rewriteMark();
      boolean rewrote =
          dirty.viewsOut() || n < committer.committedSize() || schedule.rewroteSince(rewriteMark);
      if (!rewrote && n == committer.committedSize() && !committer.fileSizeChanged()) {
        return; // idle since the last commit: nothing to flush, and not counted as a sync
      }
      commit(SyncTrigger.EVERY, n, 0, n, rewrote);
      schedule.rewritesCommitted(rewriteMark);
    } catch (IOException | RuntimeException e) {
      // Already recorded as the poison by the committer.
    } finally {
      commitLock.unlock();
    }
  }

  /** A group commit's column step by the owner: {@link #sync}, then {@return the committed size} */
  long syncAsColumn(SyncTrigger trigger) throws IOException {
    commitLock.lock();
    try {
      sync(trigger);
      return committer.committedSize();
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * A background group commit's column step: everything below the published size, then that size;
   * unlike {@link #backgroundSync()} it waits for the lock and throws a failure (after poisoning).
   * {@return the committed size}
   */
  long backgroundSyncAsColumn() throws IOException {
    commitLock.lock();
    try {
      storage.checkOpen();
      committer.checkNotPoisoned();
      long n = storage.publishedSize();
      // As backgroundSync: any non-append call since the last commit counts as a rewrite.
      long rewriteMark = schedule.rewriteMark();
      boolean rewrote =
          dirty.viewsOut() || n < committer.committedSize() || schedule.rewroteSince(rewriteMark);
      commit(SyncTrigger.EVERY, n, 0, n, rewrote);
      schedule.rewritesCommitted(rewriteMark);
      return committer.committedSize();
    } finally {
      commitLock.unlock();
    }
  }

  /** {@return the sequence of the file's newest commit slot} */
  long committedSequence() {
    return committer.sequence();
  }

  /** Runs one commit; a failure (the committer is poisoned) blocks every later write (rule 7). */
  private void commit(SyncTrigger trigger, long n, long lo, long hi, boolean rewrote)
      throws IOException {
    try {
      committer.commit(trigger, n, lo, hi, rewrote);
    } catch (IOException | RuntimeException e) {
      storage.blockWrites();
      throw e;
    }
  }

  /**
   * Rule 12: commits the smaller size, then shrinks the file to fit it; while live readers have the
   * file open (they may have its tail mapped), the truncation waits for a later sync or close.
   */
  void shrinkToFit() throws IOException {
    commitLock.lock();
    try {
      storage.checkWritable();
      sync(SyncTrigger.SHRINK);
      shrinkPending = true;
      shrinkIfNoReaders();
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * The physical half of {@link #shrinkToFit()}, right after an owner's commit: truncates the file
   * only while holding the reader lock byte exclusively, so that no live reader can have the
   * dropped pages mapped (a touch would raise SIGBUS). Holds the commit lock.
   */
  private void shrinkIfNoReaders() throws IOException {
    if (!space.wouldShrink(storage.ownerSize())) {
      shrinkPending = false;
      return;
    }
    BackendFile f = file.file();
    if (!f.tryExcludeReaders()) {
      return; // a live reader is open: try again at the next sync or close
    }
    try {
      shrinkPending = false;
      try {
        if (space.shrinkTo(storage.ownerSize())) {
          sync(SyncTrigger.SHRINK);
          CrashHooks.reach(CrashPoint.SHRINK_AFTER_SYNC, path);
        }
      } finally {
        storage.spaceChanged();
      }
    } finally {
      f.allowReaders();
    }
  }

  /** {@return the counters since open} */
  VecStats stats() {
    commitLock.lock();
    try {
      storage.checkOpen();
      return stats.snapshot(mapping.remaps(), backendName);
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Syncs a writable file, tells the storage it is closed, retires the mapping, releases the locks.
   * Idempotent. Whatever is thrown on the way (an {@code Error} too, or a poisoned file's failure),
   * the file ends closed, unmapped, unlocked and unregistered, and the first failure is thrown
   * after that.
   */
  void close() throws IOException {
    commitLock.lock();
    try {
      if (storage.isClosed()) {
        return;
      }
      Throwable failure = null;
      try {
        schedule.stop();
        if (!readOnly) {
          sync(SyncTrigger.CLOSE);
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException("final sync failed (" + path + ")", e);
      } catch (Throwable t) {
        failure = t; // an Error: release everything first, then rethrow it
      }
      storage.closed();
      try {
        mapping.close();
      } catch (Throwable t) {
        failure = firstOf(failure, t);
      }
      try {
        file.release();
      } catch (Throwable t) {
        failure = firstOf(failure, t);
      }
      switch (failure) {
        case null -> {}
        case IOException e -> throw e;
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> throw new IOException("close failed (" + path + ")", failure);
      }
    } finally {
      commitLock.unlock();
    }
  }

  private static Throwable firstOf(Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }
}
