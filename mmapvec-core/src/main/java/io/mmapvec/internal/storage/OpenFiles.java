package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The JVM-wide registry of open files (durability rule 9), kept in the system properties under
 * {@code io.mmapvec.open.DEV.INO} so that copies of mmapvec loaded by different class loaders share
 * it (a second copy with a registry of its own would open, and then close, a descriptor of a file
 * the first copy holds, which drops the first copy's classic POSIX locks). POSIX record locks
 * cannot see a second open in the same process, so mmapvec decides here, before any lock is taken,
 * whatever name (path, symbolic link, hard link) reaches the file.
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

  /**
   * What this JVM has open of one file. The registry lives in the system properties (a JDK object,
   * so every copy of mmapvec loaded by another class loader sees the same one), as text: {@code
   * "writer=0 sole=1 readers=0 path=/the/first/path"}.
   */
  private record Entry(boolean writer, boolean sole, int readers, String firstPath) {
    static final Entry NONE = new Entry(false, false, 0, null);

    static Entry parse(String text) {
      if (text == null) {
        return NONE;
      }
      String[] parts = text.split(" ", 4);
      return new Entry(
          parts[0].equals("writer=1"),
          parts[1].equals("sole=1"),
          Integer.parseInt(parts[2].substring("readers=".length())),
          parts[3].substring("path=".length()));
    }

    String format() {
      return "writer="
          + (writer ? 1 : 0)
          + " sole="
          + (sole ? 1 : 0)
          + " readers="
          + readers
          + " path="
          + firstPath;
    }

    boolean empty() {
      return !writer && !sole && readers == 0;
    }

    Entry with(Role role, boolean add, Path path) {
      String first = firstPath == null ? path.toString() : firstPath;
      return switch (role) {
        case WRITER -> new Entry(add, sole, readers, first);
        case SOLE -> new Entry(writer, add, readers, first);
        case READER -> new Entry(writer, sole, Math.max(0, readers + (add ? 1 : -1)), first);
      };
    }
  }

  private static final String KEY_PREFIX = "io.mmapvec.open.";

  private OpenFiles() {}

  private static String key(FileId id) {
    return KEY_PREFIX + id.dev() + "." + id.ino();
  }

  /** Registers the file in {@code role}, or throws if this JVM's other opens of it forbid that. */
  static void register(FileId id, Path path, Role role) throws VecLockedException {
    Properties jvm = System.getProperties();
    synchronized (jvm) { // the same monitor for every class loader's copy of this class
      String key = key(id);
      Entry e = Entry.parse(jvm.getProperty(key));
      String conflict = e.empty() ? null : conflict(e, role);
      if (conflict != null) {
        String as = e.firstPath().equals(path.toString()) ? "" : " (as " + e.firstPath() + ")";
        throw new VecLockedException(
            conflict + as + "; open it once and share the vector",
            path,
            ProcessHandle.current().pid());
      }
      jvm.setProperty(key, e.with(role, true, path).format());
    }
  }

  private static String conflict(Entry e, Role role) {
    if (e.sole() || role == Role.SOLE) {
      return "file is already open in this JVM";
    }
    if (role == Role.WRITER && e.writer()) {
      return "file is already open for writing in this JVM";
    }
    return null;
  }

  /** Removes one registration made by {@link #register} in {@code role}. */
  static void unregister(FileId id, Role role) {
    Properties jvm = System.getProperties();
    synchronized (jvm) {
      String key = key(id);
      String text = jvm.getProperty(key);
      if (text == null) {
        return;
      }
      Entry e = Entry.parse(text).with(role, false, Path.of(""));
      if (e.empty()) {
        jvm.remove(key);
      } else {
        jvm.setProperty(key, e.format());
      }
    }
  }
}
