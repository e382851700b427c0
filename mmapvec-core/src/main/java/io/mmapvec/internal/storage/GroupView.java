package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What a read-only group open shows: the newest group commit the visibility gate allows ({@link
 * Visibility}; docs/FORMAT.md, "Live group readers"), with every column at that commit's length. A
 * group writer may be at work all the while, in this process or another.
 *
 * <ul>
 *   <li>Only the manifest is asked: a commit is shown when its manifest slot is durable (sequence
 *       at most the published word, or no writer alive and the reader made it durable). Every
 *       column's data below that commit's lengths was durable before the slot was written.
 *   <li>Each column is a live reader of its file (reader lock byte only, never refused by the group
 *       writer) whose size is the manifest's length, whatever the file's own slot says.
 *   <li>A refresh that adopts a newer commit opens the columns it added, and retires the columns it
 *       no longer lists (or whose name now leads to another file): a retired column keeps its
 *       mapping and its last size until the group closes (Linux keeps an unlinked file's pages).
 * </ul>
 *
 * <p><b>Threads:</b> every method runs under the group's commit lock, except {@link
 * #mayHaveNewer()}.
 */
final class GroupView implements GroupHook {
  /** How long an open waits for a writer that holds the group but has not published yet. */
  private static final long FIRST_COMMIT_WAIT_NANOS = 2_000_000_000L;

  private final Path dir;
  private final VecOptions columnOptions;
  private final Backend backend;
  private final ManifestFile manifest;
  private final GroupStore owner;
  private Map<String, Storage> columns = new LinkedHashMap<>();
  private final List<Storage> retired = new ArrayList<>();

  /** The file each shown column opened (a pending name may since have become the final one). */
  private final Map<Storage, FileId> files = new java.util.IdentityHashMap<>();

  private Commit shown;

  private GroupView(
      GroupStore owner, Path dir, VecOptions options, Backend backend, ManifestFile m) {
    this.owner = owner;
    this.dir = dir;
    this.columnOptions = options.withSyncPolicy(SyncPolicy.manual());
    this.backend = backend;
    this.manifest = m;
  }

  /**
   * Opens the view: waits (up to 2 s) for a first visible commit, then opens its columns.
   *
   * @throws VecLockedException if a writer holds the group and publishes no commit in that time
   */
  static GroupView open(
      GroupStore owner, Path dir, VecOptions options, Backend backend, ManifestFile m)
      throws IOException {
    GroupView v = new GroupView(owner, dir, options, backend, m);
    try {
      long deadline = System.nanoTime() + FIRST_COMMIT_WAIT_NANOS;
      while (!v.adoptNewer()) {
        if (System.nanoTime() - deadline > 0) {
          throw new VecLockedException(
              "a group writer holds the group and has published no durable commit yet",
              dir.resolve(GroupStore.MANIFEST),
              -1);
        }
        LockSupport.parkNanos(1_000_000);
      }
      v.checkNoExtraFiles();
      return v;
    } catch (Throwable t) {
      v.closeColumnsQuietly();
      throw t;
    }
  }

  /**
   * With no writer alive, refuses a column file the commit shown does not list (COLUMN_EXTRA), as a
   * writer's open would; a writer that committed and closed meanwhile may have named it: then the
   * newer commit is adopted and the check repeated. With a writer alive, files of commits not yet
   * visible are expected, and nothing is checked.
   */
  private void checkNoExtraFiles() throws IOException {
    for (int attempt = 0; attempt < 8 && !manifest.writerAlive(); attempt++) {
      Path extra = null;
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files.sorted()::iterator) {
          String n = p.getFileName().toString();
          String pending = ColumnFiles.pendingName(n);
          boolean unlisted =
              n.endsWith(ColumnFiles.VEC)
                  && !n.startsWith(".")
                  && !columns.containsKey(n.substring(0, n.length() - ColumnFiles.VEC.length()));
          boolean twice = // a pending name next to the final one of a listed column
              pending != null
                  && columns.containsKey(pending)
                  && Files.exists(dir.resolve(pending + ColumnFiles.VEC));
          if (unlisted || twice) {
            extra = p;
            break;
          }
        }
      }
      if (extra == null) {
        return;
      }
      if (!adoptNewer()) {
        throw new VecFormatException(
            Reason.COLUMN_EXTRA,
            "column file not listed in the group manifest "
                + dir.resolve(GroupStore.MANIFEST)
                + " (committed columns: "
                + columns.keySet()
                + ")",
            extra);
      }
    }
  }

  /** {@return the commit shown} */
  Commit shown() {
    return shown;
  }

  /** {@return the columns of the commit shown, in column order} */
  Map<String, Storage> columns() {
    return columns;
  }

  /** {@return whether a commit newer than the one shown may exist: two loads, no system call} */
  boolean mayHaveNewer() {
    return manifest.mayHaveNewer(shown == null ? 0 : shown.sequence());
  }

  /**
   * Adopts the newest visible commit if it is newer than the one shown. {@return whether it did}
   *
   * @throws VecFormatException if a listed column's file is missing, of another type, or shorter
   *     than the commit says
   */
  boolean adoptNewer() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 8; attempt++) {
      Commit c = manifest.choose(shown == null ? 0 : shown.sequence());
      if (c == null) {
        return false;
      }
      try {
        follow(c);
        return true;
      } catch (VecFormatException | NoSuchFileException e) {
        // A writer may have renamed or deleted a file after a newer commit: ask again.
        last = e;
      }
    }
    throw last;
  }

  /** Shows commit {@code c}: opens its new columns first, then sets every column's size. */
  private void follow(Commit c) throws IOException {
    Map<String, Storage> next = new LinkedHashMap<>();
    List<Storage> opened = new ArrayList<>();
    try {
      for (Column col : c.columns()) {
        Storage s = columns.get(col.name());
        Path file = fileOf(col);
        FileId id = FileId.of(file);
        if (s == null || !id.equals(files.get(s))) {
          s = openColumn(col, file);
          opened.add(s);
          if (!id.equals(FileId.of(file))) {
            throw new NoSuchFileException(file.toString(), null, "replaced while opened");
          }
          files.put(s, id);
        }
        next.put(col.name(), s);
      }
      for (Column col : c.columns()) {
        Storage s = next.get(col.name());
        s.adoptGroupSize(col.size()); // first adopts the file's own newest visible commit
        if (s.commitSequence() < col.columnSequence()) {
          throw new VecFormatException(
              Reason.TRUNCATED,
              "column file's newest commit is "
                  + s.commitSequence()
                  + ", the group commit "
                  + c.sequence()
                  + " recorded its commit "
                  + col.columnSequence()
                  + ": the file is older than the group's commit",
              s.path());
        }
      }
    } catch (Throwable t) {
      for (Storage s : opened) {
        files.remove(s);
        closeQuietly(s);
      }
      throw t;
    }
    for (Map.Entry<String, Storage> e : columns.entrySet()) {
      if (next.get(e.getKey()) != e.getValue()) {
        retired.add(e.getValue()); // keeps its mapping and size until the group closes
      }
    }
    columns = next;
    shown = c;
  }

  private Path fileOf(Column col) throws VecFormatException {
    Path p = ColumnFiles.find(dir, col);
    if (p == null) {
      throw new VecFormatException(
          Reason.COLUMN_MISSING,
          "column '" + col.name() + "' of the group manifest has no file",
          dir.resolve(col.fileName()));
    }
    return p;
  }

  private Storage openColumn(Column c, Path p) throws IOException {
    ElementLayout layout = ColumnFiles.checkedLayout(c, p, backend);
    Storage s = Storage.openColumn(p, columnOptions, layout, backend);
    s.joinGroup(this);
    return s;
  }

  /**
   * Refreshes the owner until a commit newer than {@code held} shows or {@code timeout} passes:
   * spins ~50 times, then parks from 20 us doubling up to 1 ms. {@return the sequence shown}
   *
   * @param live whether a writer can be open next to this reader (the native backend)
   */
  long awaitCommit(Duration timeout, long held, boolean live)
      throws IOException, InterruptedException {
    if (!live) {
      throw new UnsupportedOperationException(
          "live reading needs the native backend (run with --enable-native-access); the"
              + " FileChannel fallback keeps writers out while a reader is open, so no commit can"
              + " come ("
              + dir
              + ")");
    }
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    long pause = 20_000;
    for (int spins = 0; ; spins++) {
      long now = owner.refresh();
      if (now != held || deadline - System.nanoTime() <= 0) {
        return now;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException(
            "interrupted while waiting for a group commit (" + dir + ")");
      }
      if (spins < 50) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(Math.min(pause, deadline - System.nanoTime()));
        pause = Math.min(pause * 2, 1_000_000);
      }
    }
  }

  // ------------------------------------------------------------------ GroupHook, for the columns

  /** A reader commits nothing. */
  @Override
  public void commit(SyncTrigger trigger) {
    owner.checkOpen();
  }

  @Override
  public void refreshGroup() throws IOException {
    owner.refresh();
  }

  @Override
  public void awaitGroupCommit(Duration timeout) throws IOException, InterruptedException {
    owner.awaitCommit(timeout);
  }

  @Override
  public long shownRewrites() {
    owner.checkOpen();
    return shown.rewrites();
  }

  // ------------------------------------------------------------------ closing

  /** Closes every column (shown and retired), then unmaps and unlocks the manifest. */
  void close() throws IOException {
    IOException failure = null;
    List<Storage> all = new ArrayList<>(columns.values());
    all.addAll(retired);
    for (Storage s : all) {
      try {
        s.closeAsColumn();
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
    }
    try {
      manifest.release();
    } catch (IOException e) {
      failure = failure == null ? e : failure;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void closeColumnsQuietly() {
    for (Storage s : columns.values()) {
      closeQuietly(s);
    }
    for (Storage s : retired) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(Storage s) {
    try {
      s.closeAsColumn();
    } catch (IOException | RuntimeException ignored) {
      // Already failing.
    }
  }
}
