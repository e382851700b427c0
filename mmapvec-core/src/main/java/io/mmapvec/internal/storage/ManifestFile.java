package io.mmapvec.internal.storage;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import io.mmapvec.internal.format.GroupManifestFormat.Manifest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A group's manifest file ({@value GroupStore#MANIFEST}), locked and mapped: its creation, the
 * writer's slot writes and published sequence word, and the live reader's view of its slots through
 * the visibility gate (docs/FORMAT.md, "Column group manifest" and "Live group readers").
 *
 * <p>Locks are the vector's (docs/FORMAT.md, "Live readers"): a writer holds the writer lock byte
 * exclusively and an exclusive {@code flock}; a live reader holds the reader lock byte shared. On
 * the FileChannel fallback a reader holds the whole file shared, so no writer is ever open next to
 * it.
 *
 * <p><b>Threads:</b> the owner's commit lock (writer) or the group's lock (reader) serializes every
 * call but {@link #mayHaveNewer}, which only loads.
 */
final class ManifestFile {
  private final Path path;
  private final LockedFile locked;
  private final boolean writable;
  private final Arena arena = Arena.ofShared();
  private MemorySegment map;

  private ManifestFile(Path path, LockedFile locked, boolean writable) {
    this.path = path;
    this.locked = locked;
    this.writable = writable;
  }

  /**
   * Creates a new group in {@code dir} (rule 11 for a directory: built under a temporary name,
   * renamed into place without replacing, parent synced). Returns quietly if another creator won.
   */
  static void create(Path dir, VecOptions options, Backend backend) throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new NoSuchFileException(dir.toString(), null, "parent directory does not exist");
    }
    Path tmp =
        parent.resolve(
            "."
                + abs.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    Files.createDirectory(tmp);
    Path tmpManifest = tmp.resolve(GroupStore.MANIFEST);
    boolean published = false;
    try {
      BackendFile f = backend.open(tmpManifest, true, true);
      try (Arena a = Arena.ofConfined()) {
        MemorySegment bytes = a.allocate(GroupManifestFormat.FILE_BYTES, 4096);
        GroupManifestFormat.encodeNew(
            bytes, options.magic(), options.dataVersion(), System.currentTimeMillis());
        f.allocate(0, GroupManifestFormat.FILE_BYTES);
        f.write(bytes, 0);
        f.syncFile();
      } finally {
        f.close();
      }
      backend.syncDirectory(tmp);
      try {
        if (backend == Backend.channelBackend()) {
          Files.move(tmp, abs); // throws FileAlreadyExistsException if the name exists
        } else {
          backend.publishNoReplace(tmp, abs);
        }
        published = true;
      } catch (FileAlreadyExistsException raced) {
        return; // another creator won: open its group
      }
      backend.syncDirectory(parent);
    } finally {
      if (!published) {
        backend.deleteQuietly(tmpManifest);
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Opens and locks the manifest of {@code dir}: a writer with the writer locks, a reader with the
   * live-reader lock, a snapshot reader also sharing the writer lock byte (refused while a writer
   * works, and keeps writers out until released).
   *
   * @throws VecFormatException if there is no manifest ({@code NOT_A_GROUP})
   * @throws io.mmapvec.VecLockedException if a lock conflicts (a second writer; a reader next to a
   *     writer only on the FileChannel fallback or an old-version writer)
   */
  static ManifestFile open(Path dir, Backend backend, boolean writable, boolean snapshot)
      throws IOException {
    Path mpath = dir.resolve(GroupStore.MANIFEST);
    LockedFile locked;
    try {
      locked =
          snapshot
              ? LockedFile.openSnapshot(mpath, backend)
              : LockedFile.open(mpath, backend, writable);
    } catch (NoSuchFileException e) {
      throw new VecFormatException(
          Reason.NOT_A_GROUP,
          "directory has no " + GroupStore.MANIFEST + " file: not a column group",
          dir);
    }
    return new ManifestFile(mpath, locked, writable);
  }

  /**
   * Reads and validates the manifest; then maps it. A writer first extends a manifest of {@link
   * GroupManifestFormat#MIN_FILE_BYTES} to hold the published sequence page (allocated and synced
   * before it is mapped, rule 5).
   *
   * @return the manifest; its newest valid slot is what a writer starts from (a reader chooses
   *     through {@link #choose} instead)
   */
  Manifest decode(String magic, DataVersion version) throws IOException {
    Manifest m;
    long size = locked.file().size();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(GroupManifestFormat.FILE_BYTES);
      long n = locked.file().readHeader(buf);
      m = GroupManifestFormat.decode(buf.asSlice(0, n), size, magic, version, path);
    }
    if (writable && size < GroupManifestFormat.FILE_BYTES) {
      locked.file().allocate(size, GroupManifestFormat.FILE_BYTES);
      locked.file().syncFile();
      size = GroupManifestFormat.FILE_BYTES;
    }
    mapUpTo(size);
    return m;
  }

  private void mapUpTo(long fileSize) throws IOException {
    map = locked.file().map(Math.min(fileSize, GroupManifestFormat.FILE_BYTES), arena);
  }

  /**
   * A writer's open, after {@link #decode}: makes the slot pages durable (a previous writer may
   * have died between writing a slot and its sync), then publishes {@code sequence}.
   */
  void publishAtOpen(long sequence) throws IOException {
    locked
        .file()
        .syncRange(
            map, GroupManifestFormat.SLOT_PAGES_OFFSET, GroupManifestFormat.SLOT_PAGES_BYTES);
    GroupManifestFormat.publish(map, sequence);
  }

  /**
   * The commit point of a group commit: writes {@code slotBytes} into slot {@code slot}, makes the
   * manifest durable ({@code fdatasync}), then publishes the slot's sequence to live readers.
   */
  void writeSlot(MemorySegment slotBytes, int slot, long sequence) throws IOException {
    locked.file().write(slotBytes, GroupManifestFormat.slotOffset(slot));
    locked.file().syncFile();
    CrashHooks.durable(path, 0, Long.MAX_VALUE);
    GroupManifestFormat.publish(map, sequence);
  }

  /**
   * A reader: {@return the newest group commit the visibility gate allows, if newer than {@code
   * held}, else null}
   *
   * @throws IOException if a lock query or an msync fails
   */
  Commit choose(long held) throws IOException {
    if (map.byteSize() < GroupManifestFormat.FILE_BYTES
        && locked.file().size() >= GroupManifestFormat.FILE_BYTES) {
      mapUpTo(GroupManifestFormat.FILE_BYTES); // a writer extended an old manifest meanwhile
    }
    MemorySegment m = map;
    BackendFile f = locked.file();
    return Visibility.chooseGroupCommit(
        m,
        held,
        new Visibility.Gate() {
          @Override
          public boolean writerAlive() throws IOException {
            return f.writerAlive();
          }

          @Override
          public void syncSlotPages() throws IOException {
            f.syncRange(
                m, GroupManifestFormat.SLOT_PAGES_OFFSET, GroupManifestFormat.SLOT_PAGES_BYTES);
          }
        });
  }

  /** {@return whether a slot newer than {@code held} may exist: two loads, no system call} */
  boolean mayHaveNewer(long held) {
    return GroupManifestFormat.sequenceWord(map, 0) > held
        || GroupManifestFormat.sequenceWord(map, 1) > held;
  }

  /** {@return whether a writer holds the writer lock byte right now} */
  boolean writerAlive() throws IOException {
    return locked.file().writerAlive();
  }

  /** Unmaps and unlocks. */
  void release() throws IOException {
    try {
      arena.close();
    } finally {
      locked.release();
    }
  }

  /** Like {@link #release()}, for paths that are already failing. */
  void releaseQuietly() {
    try {
      arena.close();
    } catch (RuntimeException ignored) {
      // Already failing.
    }
    locked.releaseQuietly();
  }
}
