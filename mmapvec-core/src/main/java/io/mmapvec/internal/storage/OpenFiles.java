package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM-wide registry of open files (durability rule 9). POSIX record locks cannot see a second
 * open in the same process, so mmapvec refuses it here, before any lock is taken, whatever name
 * (path, symbolic link, hard link) reaches the file.
 */
final class OpenFiles {
  private static final ConcurrentHashMap<FileId, Path> OPEN = new ConcurrentHashMap<>();

  private OpenFiles() {}

  /** Registers the file, or throws if this JVM already has it open. */
  static void register(FileId id, Path path) throws VecLockedException {
    Path previous = OPEN.putIfAbsent(id, path);
    if (previous != null) {
      String as = previous.equals(path) ? "" : " (as " + previous + ")";
      throw new VecLockedException(
          "file is already open in this JVM" + as + "; open it once and share the vector",
          path,
          ProcessHandle.current().pid());
    }
  }

  /** Removes the registration made by {@link #register}. */
  static void unregister(FileId id) {
    OPEN.remove(id);
  }
}
