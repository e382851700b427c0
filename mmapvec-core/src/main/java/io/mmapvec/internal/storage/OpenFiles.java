package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM-wide registry of open files (durability rule 9). POSIX record locks cannot see a second
 * open in the same process, so mmapvec decides here, before any lock is taken, whatever name (path,
 * symbolic link, hard link) reaches the file.
 *
 * <p>With the native backend a file may be open once for writing and any number of times for live
 * reading at the same time: their open-file-description locks are on different bytes and do not
 * depend on other descriptors. A file opened through the {@code FileChannel} fallback, whose
 * classic POSIX locks the JVM drops when any descriptor of the file closes, must be the only open
 * of that file in the JVM.
 */
final class OpenFiles {
  /** How an open uses a file. */
  enum Role {
    /** A native writer: at most one per file. */
    WRITER,
    /** A native live reader: any number, next to at most one writer. */
    READER,
    /** Any open through the fallback: alone. */
    SOLE;

    /** {@return the role of an open through {@code backend}} */
    static Role of(Backend backend, boolean writable) {
      if (!backend.liveReaders()) {
        return SOLE;
      }
      return writable ? WRITER : READER;
    }
  }

  private static final class Entry {
    final Path firstPath;
    boolean writer;
    boolean sole;
    int readers;

    Entry(Path firstPath) {
      this.firstPath = firstPath;
    }

    boolean empty() {
      return !writer && !sole && readers == 0;
    }
  }

  private static final Map<FileId, Entry> OPEN = new HashMap<>();

  private OpenFiles() {}

  /** Registers the file in {@code role}, or throws if this JVM's other opens of it forbid that. */
  static void register(FileId id, Path path, Role role) throws VecLockedException {
    synchronized (OPEN) {
      Entry e = OPEN.get(id);
      if (e == null) {
        e = new Entry(path);
      } else {
        String conflict = conflict(e, role);
        if (conflict != null) {
          String as = e.firstPath.equals(path) ? "" : " (as " + e.firstPath + ")";
          throw new VecLockedException(
              conflict + as + "; open it once and share the vector",
              path,
              ProcessHandle.current().pid());
        }
      }
      switch (role) {
        case WRITER -> e.writer = true;
        case READER -> e.readers++;
        case SOLE -> e.sole = true;
      }
      OPEN.put(id, e);
    }
  }

  private static String conflict(Entry e, Role role) {
    if (e.sole || role == Role.SOLE) {
      return "file is already open in this JVM";
    }
    if (role == Role.WRITER && e.writer) {
      return "file is already open for writing in this JVM";
    }
    return null;
  }

  /** Removes one registration made by {@link #register} in {@code role}. */
  static void unregister(FileId id, Role role) {
    synchronized (OPEN) {
      Entry e = OPEN.get(id);
      if (e == null) {
        return;
      }
      switch (role) {
        case WRITER -> e.writer = false;
        case READER -> e.readers = Math.max(0, e.readers - 1);
        case SOLE -> e.sole = false;
      }
      if (e.empty()) {
        OPEN.remove(id);
      }
    }
  }
}
