package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import io.mmapvec.VecClosedException;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import io.mmapvec.internal.format.GroupManifestFormat.Manifest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The storage of a column group: a directory of ordinary vector files (one per column) and one
 * manifest, {@value #MANIFEST}, whose two checksummed slots hold the group's sequence and every
 * column's committed size (docs/FORMAT.md). The manifest is the truth at open.
 *
 * <p><b>Commit</b> ({@link #commit}): every column makes its data durable and writes its own slot
 * (rule 3, through {@link Storage#commitAsColumn}); dropped columns are renamed to {@code
 * .drop.NAME.vec} and the directory synced; then the inactive manifest slot is written and the
 * manifest {@code fdatasync}ed: that is the commit point. Afterwards columns added since the last
 * commit (created as {@code .add.NAME.vec}) get their final names, dropped files are deleted, and
 * the directory is synced. An open finishes or undoes what a crash interrupted: a pending name the
 * manifest lists is the column's file; one it does not list was never committed (a writer deletes
 * it). A column's own slot may be ahead of the manifest (a crash between the two): the manifest's
 * length wins. Anything else that does not match (a listed file missing, an unlisted {@code .vec}
 * file, a file too short) is an error naming the file, never repaired.
 *
 * <p><b>Locks:</b> a writer holds the manifest's writer lock byte and {@code flock} and every
 * column's. A read-only open is a live reader ({@link GroupView}): reader lock bytes only, never
 * refused by a writer; a snapshot open also shares the manifest's writer byte. A vector file in a
 * directory holding a manifest cannot be opened alone for writing.
 *
 * <p><b>Threads:</b> one owner thread; the background flusher of {@code SyncPolicy.every} commits
 * under {@link #commitLock()}, which every commit, column add, drop and close also holds.
 */
public final class GroupStore implements GroupHook {
  /** The manifest's file name in the group directory. */
  public static final String MANIFEST = "_manifest";

  private static final String ADD = ColumnFiles.ADD;
  private static final String DROP = ColumnFiles.DROP;
  private static final String VEC = ColumnFiles.VEC;

  private final Path dir;
  private final Path manifestPath;
  private final VecOptions options;
  private final VecOptions columnOptions;
  private final Backend backend;
  private final ManifestFile manifest;
  private final boolean readOnly;

  /** What a read-only open shows (the live group reader); null for a writer. */
  private GroupView view;

  /** Fair, so the flusher is not starved by an owner that writes in a tight loop. */
  private final ReentrantLock commitLock = new ReentrantLock(true);

  private final Map<String, Storage> columns = new LinkedHashMap<>();
  private final Map<String, Storage> added = new LinkedHashMap<>();
  private final Map<String, Path> dropped = new LinkedHashMap<>();
  private final Arena slotArena = Arena.ofShared();
  private final MemorySegment slotBuffer;
  private ScheduledFuture<?> flusher;

  private Commit committed;
  private int activeSlot;
  private IOException poison;
  private boolean closed;

  private GroupStore(
      Path dir,
      VecOptions options,
      Backend backend,
      ManifestFile manifest,
      Manifest m,
      boolean columnsCountWrites) {
    this.dir = dir;
    this.manifestPath = dir.resolve(MANIFEST);
    this.options = options;
    this.columnOptions =
        options.syncPolicy() instanceof SyncPolicy.Every || !columnsCountWrites
            ? options.withSyncPolicy(SyncPolicy.manual())
            : options;
    this.backend = backend;
    this.manifest = manifest;
    this.readOnly = options.readOnly();
    this.committed = m.active();
    this.activeSlot = m.activeSlot();
    this.slotBuffer = slotArena.allocate(GroupManifestFormat.SLOT_BYTES, 4096);
  }

  // ------------------------------------------------------------------------------------ opening

  /**
   * Opens the group in {@code dir}; a writable open creates it if absent (rule 11 for a directory:
   * built under a temporary name, renamed into place without replacing, parent synced).
   *
   * @param dir the group directory
   * @param options magic, data version, read-only, sync policy (the group's)
   * @param backend the native backend or the fallback
   * @param columnsCountWrites whether each column counts its own writes for {@code
   *     SyncPolicy.everyWrites} (a group of independent vectors); if not, the caller counts and
   *     commits (a record vector, whose rows span every column)
   * @return the open group, every column locked and mapped
   * @throws VecFormatException if the directory is not a group, its manifest is damaged or not the
   *     one asked for, or its columns do not match the manifest (naming the file)
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws NoSuchFileException if a read-only open finds no directory
   * @throws IOException on any other failure; nothing stays locked
   */
  public static GroupStore open(
      Path dir, VecOptions options, Backend backend, boolean columnsCountWrites)
      throws IOException {
    return open(dir, options, backend, columnsCountWrites, false);
  }

  /**
   * Like {@link #open(Path, VecOptions, Backend, boolean)}; {@code snapshot} (read-only only): also
   * share the manifest's writer lock byte, so the open is refused while a group writer works and
   * keeps writers out until closed (for tools that read every element).
   */
  public static GroupStore open(
      Path dir, VecOptions options, Backend backend, boolean columnsCountWrites, boolean snapshot)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(backend, "backend");
    if (!Files.exists(dir)) {
      if (options.readOnly()) {
        throw new NoSuchFileException(dir.toString(), null, "no column group here");
      }
      ManifestFile.create(dir, options, backend);
    }
    if (!Files.isDirectory(dir)) {
      throw new VecFormatException(Reason.NOT_A_GROUP, "not a directory: not a column group", dir);
    }
    // A read-only open is a live reader: it takes the manifest's reader lock only, and follows a
    // group writer through the published sequence (GroupView); a writer takes the writer locks.
    ManifestFile mf =
        ManifestFile.open(dir, backend, !options.readOnly(), snapshot && options.readOnly());
    GroupStore g = null;
    try {
      Manifest m = mf.decode(options.magic(), options.dataVersion());
      g = new GroupStore(dir, options, backend, mf, m, columnsCountWrites);
      if (g.readOnly) {
        g.view = GroupView.open(g, dir, options, backend, mf);
        g.committed = g.view.shown();
        g.columns.putAll(g.view.columns());
        return g;
      }
      mf.publishAtOpen(m.active().sequence());
      g.loadColumns();
      if (options.syncPolicy() instanceof SyncPolicy.Every(Duration interval)) {
        g.flusher = Flusher.schedule(g::backgroundCommit, interval);
      }
      return g;
    } catch (Throwable t) {
      if (g != null) {
        g.closeQuietly();
      } else {
        mf.releaseQuietly();
      }
      throw t;
    }
  }

  /**
   * Refuses a writable open of a vector file that belongs to a column group (its directory holds a
   * manifest): only the group may write it.
   *
   * @param path the vector file
   * @throws VecLockedException if the file's directory is a column group
   */
  static void refuseWriterOfColumn(Path path) throws VecLockedException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && Files.exists(parent.resolve(MANIFEST))) {
      throw new VecLockedException(
          "belongs to the column group in "
              + parent
              + "; write it through VecGroup (a read-only open is allowed)",
          path,
          -1);
    }
  }

  /** Finishes or undoes pending renames, checks the files, then opens every committed column. */
  private void loadColumns() throws IOException {
    Map<String, Column> listed = new LinkedHashMap<>();
    for (Column c : committed.columns()) {
      listed.put(c.name(), c);
    }
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    boolean dirChanged = false;
    for (String n : names) {
      if (!n.endsWith(VEC)) {
        continue;
      }
      Path p = dir.resolve(n);
      String pending = ColumnFiles.pendingName(n);
      if (pending != null) {
        boolean isListed = listed.containsKey(pending);
        Path finalPath = dir.resolve(pending + VEC);
        if (isListed && !Files.exists(finalPath)) {
          // An add committed (or a drop not committed) before the crash: this is the column.
          backend.publishNoReplace(p, finalPath);
          dirChanged = true;
        } else if (!isListed) {
          // An add never committed, or a drop committed: not part of the group.
          Files.delete(p);
          dirChanged = true;
        } else {
          throw new VecFormatException(
              Reason.COLUMN_EXTRA,
              "both " + n + " and " + pending + VEC + " exist for column '" + pending + "'",
              p);
        }
      } else if (!n.startsWith(".")) {
        String name = n.substring(0, n.length() - VEC.length());
        if (!listed.containsKey(name)) {
          throw new VecFormatException(
              Reason.COLUMN_EXTRA,
              "column file not listed in the group manifest "
                  + manifestPath
                  + " (committed columns: "
                  + listed.keySet()
                  + ")",
              p);
        }
      }
    }
    if (dirChanged) {
      backend.syncDirectory(dir);
    }
    for (Column c : committed.columns()) {
      Path p = dir.resolve(c.fileName());
      if (!Files.exists(p)) {
        throw new VecFormatException(
            Reason.COLUMN_MISSING,
            "column '" + c.name() + "' of the group manifest " + manifestPath + " has no file",
            p);
      }
      ElementLayout layout = ColumnFiles.checkedLayout(c, p, backend);
      Storage s = openColumn(p, layout);
      columns.put(c.name(), s);
      if (s.committedSequence() < c.columnSequence()) {
        throw new VecFormatException(
            Reason.TRUNCATED,
            "column file's newest commit is "
                + s.committedSequence()
                + ", the group manifest recorded its commit "
                + c.columnSequence()
                + " with length "
                + c.size()
                + ": the file is older than the group's last commit",
            p);
      }
      if (s.capacity() < c.size()) {
        throw new VecFormatException(
            Reason.TRUNCATED,
            "column file holds "
                + s.capacity()
                + " elements, the group manifest says "
                + c.size()
                + ": the file was shortened",
            p);
      }
      s.adoptGroupSize(c.size());
      s.joinGroup(this);
    }
  }

  // ------------------------------------------------------------------------------------ columns

  /**
   * {@return the storage of column {@code name}, opened or (writable group) created empty} A
   * created column is part of the group from the next commit on.
   *
   * @param name the column's name
   * @param layout the element layout the caller will use
   * @throws VecFormatException if the column exists with another layout (naming its file)
   * @throws NoSuchFileException if a read-only group has no such column
   * @throws IllegalArgumentException if the name is not a valid column name
   */
  public Storage column(String name, ElementLayout layout) throws IOException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(layout, "layout");
    commitLock.lock();
    try {
      checkOpen();
      String problem = GroupManifestFormat.nameProblem(name);
      if (problem != null) {
        throw new IllegalArgumentException(problem + " (" + dir + ")");
      }
      Storage s = columns.containsKey(name) ? columns.get(name) : added.get(name);
      if (s != null) {
        if (!s.layout().equals(layout)) {
          throw new VecFormatException(
              Reason.ELEMENT_TYPE_MISMATCH,
              "column '"
                  + name
                  + "' holds "
                  + s.layout().describe()
                  + ", asked for "
                  + layout.describe(),
              s.path());
        }
        return s;
      }
      if (readOnly) {
        throw new NoSuchFileException(
            dir.resolve(name + VEC).toString(), null, "the group has no column '" + name + "'");
      }
      if (dropped.containsKey(name)) {
        throw new IllegalStateException(
            "column '"
                + name
                + "' was dropped; commit the group before adding it again ("
                + dir
                + ")");
      }
      if (columns.size() + added.size() >= GroupManifestFormat.MAX_COLUMNS) {
        throw new IllegalStateException(
            "a group holds at most " + GroupManifestFormat.MAX_COLUMNS + " columns (" + dir + ")");
      }
      Path p = dir.resolve(ADD + name + VEC);
      s = openColumn(p, layout);
      s.joinGroup(this);
      added.put(name, s);
      return s;
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Drops column {@code name}: its vector is closed now; the column leaves the group at the next
   * commit (until then a crash keeps it).
   *
   * @param name the column
   * @return whether there was such a column
   */
  public boolean drop(String name) throws IOException {
    commitLock.lock();
    try {
      checkOpen();
      checkWritableGroup();
      Storage s = added.remove(name);
      if (s != null) {
        Path p = s.path();
        s.closeAsColumn();
        Files.deleteIfExists(p);
        return true;
      }
      s = columns.remove(name);
      if (s == null) {
        return false;
      }
      s.closeAsColumn();
      dropped.put(name, s.path());
      return true;
    } finally {
      commitLock.unlock();
    }
  }

  /** {@return the columns of the last commit, in manifest order} */
  public List<String> names() {
    checkOpen();
    return committed.columns().stream().map(Column::name).toList();
  }

  /** {@return the last commit the manifest holds (as read at open, or as last written)} */
  public Commit committed() {
    return committed;
  }

  /** {@return the open columns: committed ones in manifest order, then those added since} */
  public List<Storage> openColumns() {
    List<Storage> all = new ArrayList<>(columns.values());
    all.addAll(added.values());
    return all;
  }

  /** {@return the group directory as given at open} */
  public Path dir() {
    return dir;
  }

  /** {@return the options given at open} */
  public VecOptions options() {
    return options;
  }

  /** {@return the lock every commit holds; a record vector holds it across multi-column writes} */
  public ReentrantLock commitLock() {
    return commitLock;
  }

  /** {@return whether a background flusher commits this group} */
  public boolean hasFlusher() {
    return flusher != null;
  }

  // ------------------------------------------------------------------------------------ commit

  /** Commits every column and the manifest as one; see the class comment. */
  @Override
  public void commit(SyncTrigger trigger) throws IOException {
    commitLock.lock();
    try {
      checkOpen();
      if (readOnly) {
        return;
      }
      commitLocked(trigger, false);
    } finally {
      commitLock.unlock();
    }
  }

  private void backgroundCommit() {
    // Waits at most for the owner's current call or commit: a record vector holds this lock
    // across each multi-column write, so the commit never sees half a row.
    commitLock.lock();
    try {
      if (!closed && poison == null) {
        commitLocked(SyncTrigger.EVERY, true);
      }
    } catch (IOException | RuntimeException e) {
      // Recorded as the poison; the owner sees it at its next commit.
    } finally {
      commitLock.unlock();
    }
  }

  private void commitLocked(SyncTrigger trigger, boolean background) throws IOException {
    if (poison != null) {
      throw new IOException(
          "an earlier group commit failed; reopen the group (" + dir + ")", poison);
    }
    try {
      List<Column> next = new ArrayList<>();
      boolean rewrote = false; // a column's own rewrite counter moved: so does the group's
      List<Map.Entry<String, Storage>> all = new ArrayList<>(columns.entrySet());
      all.addAll(added.entrySet());
      for (Map.Entry<String, Storage> e : all) {
        Storage s = e.getValue();
        long before = s.rewriteCount();
        long length = background ? s.backgroundCommitAsColumn() : s.commitAsColumn(trigger);
        rewrote |= s.rewriteCount() != before;
        next.add(
            new Column(
                e.getKey(), s.layout().type(), s.elementSize(), length, s.committedSequence()));
      }
      for (Map.Entry<String, Path> d : dropped.entrySet()) {
        backend.publishNoReplace(d.getValue(), dir.resolve(DROP + d.getKey() + VEC));
      }
      if (!dropped.isEmpty()) {
        backend.syncDirectory(dir);
      }
      if (!next.equals(committed.columns())) {
        long rewrites = committed.rewrites() + (rewrote ? 1 : 0);
        Commit c = new Commit(committed.sequence() + 1, System.currentTimeMillis(), next, rewrites);
        int slot = 1 - activeSlot;
        GroupManifestFormat.encodeSlot(slotBuffer, c);
        manifest.writeSlot(slotBuffer, slot, c.sequence()); // the commit point; then published
        committed = c;
        activeSlot = slot;
      }
      // Added columns keep their pending names while open (their vectors keep their paths);
      // close() gives them their final names, or the next open does after a crash.
      columns.putAll(added);
      added.clear();
      for (String name : dropped.keySet()) {
        Files.deleteIfExists(dir.resolve(DROP + name + VEC));
      }
      if (!dropped.isEmpty()) {
        backend.syncDirectory(dir);
      }
      dropped.clear();
    } catch (IOException | RuntimeException e) {
      // Rule 7 for the group: a failed commit is never retried and reported as success.
      poison = e instanceof IOException io ? io : new IOException(e);
      throw e;
    }
  }

  /**
   * Opens a column file of this writer's group; under {@code SyncPolicy.every} the group's flusher
   * commits it, so it counts rewrites for that flusher (see {@link
   * ElementAccess#countRewritesForBackgroundCommits()}).
   */
  private Storage openColumn(Path p, ElementLayout layout) throws IOException {
    Storage s = Storage.openColumn(p, columnOptions, layout, backend);
    if (options.syncPolicy() instanceof SyncPolicy.Every) {
      s.countRewritesForBackgroundCommits();
    }
    return s;
  }

  // ------------------------------------------------------------------------------------ readers

  /**
   * A read-only group: shows the newest group commit the visibility gate allows, in every column
   * (see {@link GroupView}); a writer's group: nothing. {@return the sequence of the commit shown}
   */
  public long refresh() throws IOException {
    checkOpen();
    boolean newer;
    try {
      newer = view != null && view.mayHaveNewer();
    } catch (IllegalStateException e) {
      checkOpen(); // closed by another thread meanwhile: say so
      throw e;
    }
    if (newer) {
      commitLock.lock();
      try {
        checkOpen();
        if (view.adoptNewer()) {
          committed = view.shown();
          columns.clear();
          columns.putAll(view.columns());
        }
      } finally {
        commitLock.unlock();
      }
    }
    return committed.sequence();
  }

  /** {@return the group's rewrite counter: of the commit shown (reader) or written last} */
  public long rewriteCount() {
    checkOpen();
    return committed.rewrites();
  }

  /**
   * A read-only group: refreshes until a newer group commit shows or {@code timeout} passes (spins
   * briefly, then sleeps from 20 us doubling up to 1 ms); a writer's group: returns at once.
   * {@return the sequence of the commit shown}
   */
  public long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkOpen();
    long held = committed.sequence(); // a commit adopted by the first refresh below counts
    return view == null ? held : view.awaitCommit(timeout, held, backend.liveReaders());
  }

  // ------------------------------------------------------------------------------------ closing

  /**
   * Commits a writable group, then closes every column and releases the manifest. Idempotent.
   *
   * @throws IOException if the final commit fails; everything is still closed and unlocked
   */
  public void close() throws IOException {
    if (flusher != null) {
      flusher.cancel(false);
    }
    commitLock.lock();
    try {
      if (closed) {
        return;
      }
      IOException failure = null;
      if (view != null) {
        closed = true;
        view.close(); // its columns, retired ones too, and the manifest
        slotArena.close();
        return;
      }
      if (!readOnly) {
        try {
          commitLocked(SyncTrigger.CLOSE, false);
        } catch (IOException e) {
          failure = e;
        } catch (RuntimeException e) {
          failure = new IOException("final group commit failed (" + dir + ")", e);
        }
      }
      closed = true;
      for (Storage s : openColumns()) {
        try {
          s.closeAsColumn();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          }
        }
      }
      if (failure == null && !readOnly) {
        try {
          finishPendingNames();
        } catch (IOException e) {
          failure = e;
        }
      }
      try {
        manifest.release();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
      slotArena.close();
      if (failure != null) {
        throw failure;
      }
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Gives the committed columns that still have pending names ({@code .add.NAME.vec}) their final
   * names, then syncs the directory; their vectors are closed. A crash in between is finished by
   * the next open the same way.
   */
  private void finishPendingNames() throws IOException {
    boolean changed = false;
    for (Map.Entry<String, Storage> e : columns.entrySet()) {
      Path p = e.getValue().path();
      Path to = dir.resolve(e.getKey() + VEC);
      if (!p.equals(to)) {
        backend.publishNoReplace(p, to);
        changed = true;
      }
    }
    if (changed) {
      backend.syncDirectory(dir);
    }
  }

  private void closeQuietly() {
    closed = true;
    for (Storage s : openColumns()) {
      try {
        s.closeAsColumn();
      } catch (IOException | RuntimeException ignored) {
        // Already failing.
      }
    }
    manifest.releaseQuietly();
    slotArena.close();
  }

  /** {@return whether {@link #close()} has run} */
  public boolean isClosed() {
    return closed;
  }

  /** Throws {@link VecClosedException} if the group is closed. */
  public void checkOpen() {
    if (closed) {
      throw new VecClosedException("column group is closed (" + dir + ")");
    }
  }

  private void checkWritableGroup() {
    if (readOnly) {
      throw new UnsupportedOperationException("column group is read-only (" + dir + ")");
    }
  }
}
