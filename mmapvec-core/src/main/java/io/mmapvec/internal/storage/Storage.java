package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecStats;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The protocol every vector follows: one locked, mapped file holding a header and a run of elements
 * of {@link #elementSize()} bytes. The typed vectors are thin facades that turn indices into
 * element accesses on {@link #data()}. The protocol is written once, in three layers of one object
 * (base classes, so that a facade's call is one final method, with no virtual call and no extra
 * field load per element): {@link ElementAccess} has the bounds, the size and the write gate;
 * {@link ElementEdits} the edits of runs of elements; this class opens the file and routes each
 * file operation (sync, close, shrink, refresh, stats) to the file's {@link SyncController}, or to
 * its column group. The file itself is the {@code SyncController}'s: growth, sync, shrink, stats
 * and close run there under one commit lock, through parts that each do one job ({@link
 * FileOpener}, {@link Mapping}, {@link GrowthPolicy}, {@link FileSpace}, {@link DirtyTracker},
 * {@link Committer}, {@link LiveReader}, {@link StorageStats}, {@link StorageErrors};
 * docs/ARCHITECTURE.md draws them).
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
public final class Storage extends ElementEdits {
  /** The column group this file belongs to, or null: then sync and close commit the group. */
  private GroupHook group;

  private Storage(
      Path path,
      VecOptions options,
      ElementLayout layout,
      Backend backend,
      FileOpener.OpenedFile opened)
      throws IOException {
    super(path, options, layout, backend, opened);
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

  @Override
  void syncAfterWrites() throws IOException {
    GroupHook g = group;
    if (g != null) {
      g.commit(SyncTrigger.EVERY_WRITES);
      return;
    }
    controller.sync(SyncTrigger.EVERY_WRITES);
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
    publishSize(newSize);
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
      if (!isClosed()) {
        g.commit(SyncTrigger.CLOSE);
      }
      return;
    }
    controller.close();
  }
}
