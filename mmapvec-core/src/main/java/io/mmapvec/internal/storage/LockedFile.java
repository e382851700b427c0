package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An existing file, registered in this JVM and locked: the one way mmapvec opens a file that is
 * already there (durability rules 9, 8 and 2, in that order).
 *
 * <ol>
 *   <li>Look the name up and register its {@code (dev, ino)} in the JVM-wide registry, before any
 *       descriptor exists: closing a descriptor of a file drops every classic POSIX lock this
 *       process holds on it, so a refused second open must not open one.
 *   <li>Open it, and check the descriptor is the file that was registered (the name may have been
 *       replaced in between; then start again).
 *   <li>Take the locks, non-blocking: exclusive for a writer, shared for a reader. Only then may
 *       the header be read.
 * </ol>
 *
 * @param file the open, locked file
 * @param id its identity, registered
 * @param role how it is registered
 */
record LockedFile(BackendFile file, FileId id, OpenFiles.Role role) {
  private static final int ATTEMPTS = 8;

  /**
   * Registers, opens and locks the file {@code path} leads to.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws VecLockedException if this JVM has it open, or another process holds a conflicting lock
   *     (naming it when /proc/locks tells)
   * @throws IOException if it cannot be opened or locked, or keeps being replaced
   */
  static LockedFile open(Path path, Backend backend, boolean writable) throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      // Before any open: opening a FIFO for reading blocks until a writer comes. The native
      // backend checks the open descriptor again (it opens with O_NONBLOCK), so a name replaced
      // by a FIFO in between cannot block it either.
      requireRegular(path, Files.readAttributes(path, BasicFileAttributes.class).isRegularFile());
      FileId id = FileId.of(path);
      OpenFiles.Role role = OpenFiles.Role.of(backend, writable);
      OpenFiles.register(id, path, role);
      LockedFile locked = null;
      try {
        locked = openRegistered(path, backend, writable, id, role);
      } finally {
        if (locked == null) {
          OpenFiles.unregister(id, role);
        }
      }
      if (locked != null) {
        return locked;
      }
    }
    throw new IOException("file keeps being replaced while it is opened (" + path + ")");
  }

  /**
   * Like {@link #open} for a reader, then also shares the writer lock byte: a snapshot of the last
   * commit that no writer changes while it is held, for inspection that reads every element
   * (verify, dump, convert, export). Refused while a writer has the file open (in any process, this
   * JVM included), and keeps a new writer out until released; live readers may share the file.
   *
   * @throws VecLockedException if a writer has the file open, naming it when /proc/locks tells
   */
  static LockedFile openSnapshot(Path path, Backend backend) throws IOException {
    LockedFile locked = open(path, backend, false);
    try {
      if (!locked.file().tryExcludeWriters()) {
        long pid = locked.file().lockHolderPid();
        throw new VecLockedException(
            "cannot lock for reading: "
                + who(pid)
                + " has the file open for writing; reading every element needs a file no writer"
                + " has open (a live read-only open does not)",
            path,
            pid);
      }
      return locked;
    } catch (Throwable t) {
      locked.releaseQuietly();
      throw t;
    }
  }

  /** {@return the locked file, or null if the name now leads to another file than {@code id}} */
  private static LockedFile openRegistered(
      Path path, Backend backend, boolean writable, FileId id, OpenFiles.Role role)
      throws IOException {
    BackendFile f;
    try {
      f = backend.open(path, writable, false);
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      if (!f.id().equals(id)) {
        closeQuietly(f);
        return null;
      }
      if (!f.tryLock(writable)) {
        long pid = f.lockHolderPid();
        throw new VecLockedException(lockedDetail(pid, writable, backend), path, pid);
      }
      return new LockedFile(f, id, role);
    } catch (Throwable t) {
      closeQuietly(f);
      throw t;
    }
  }

  /**
   * Throws unless {@code regular}: a vector is a regular file, never a FIFO, device, socket or
   * directory.
   */
  static void requireRegular(Path path, boolean regular) throws FileSystemException {
    if (!regular) {
      throw new FileSystemException(
          path.toString(), null, "not a regular file (a FIFO, device, socket or directory)");
    }
  }

  /**
   * Throws if the path no longer leads to the open file (it was removed, or removed and created
   * anew): the sync itself worked, but into a file nobody can open any more, whose data is lost
   * when the vector closes. The storage checks it at every sync and close, not in the flusher.
   */
  void checkStillAt(Path path) throws IOException {
    FileId now;
    try {
      now = FileId.of(path);
    } catch (NoSuchFileException e) {
      now = null;
    }
    if (!id.equals(now)) {
      throw new IOException(
          "the file was removed"
              + (now == null ? "" : " and the path now leads to another file")
              + " since it was opened: what was synced went to the removed file and is lost when"
              + " the vector closes; copy the data out before closing ("
              + path
              + ")");
    }
  }

  /** Closes the file (releasing its locks) and removes the registration. */
  void release() throws IOException {
    try {
      file.close();
    } finally {
      OpenFiles.unregister(id, role);
    }
  }

  /** Like {@link #release()}, for paths that are already failing. */
  void releaseQuietly() {
    closeQuietly(file);
    OpenFiles.unregister(id, role);
  }

  static void closeQuietly(BackendFile f) {
    try {
      f.close();
    } catch (IOException | RuntimeException ignored) {
      // Already failing; the first error is the one to report.
    }
  }

  private static String lockedDetail(long pid, boolean writable, Backend backend) {
    String why;
    if (writable) {
      why = "";
    } else if (backend.liveReaders()) {
      why =
          " on the whole file (a writer of an older mmapvec version or on the FileChannel"
              + " fallback, or a lockf/fcntl user); live readers need a writer on the native"
              + " backend";
    } else {
      why =
          " (reading next to a writer needs the native backend: run with"
              + " --enable-native-access; the FileChannel fallback cannot hold live-reader locks)";
    }
    return (writable ? "cannot lock for writing: " : "cannot lock for reading: ")
        + who(pid)
        + " holds a conflicting lock"
        + why;
  }

  private static String who(long pid) {
    return pid > 0
        ? "process "
            + pid
            + ProcessHandle.of(pid)
                .flatMap(p -> p.info().command())
                .map(c -> " (" + Path.of(c).getFileName() + ")")
                .orElse("")
        : "another process";
  }
}
