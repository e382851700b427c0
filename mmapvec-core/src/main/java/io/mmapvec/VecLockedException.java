package io.mmapvec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The file is held by someone else: another process holds a conflicting advisory lock, or this JVM
 * already has the file open (through the same path, a symbolic link or a hard link).
 */
public final class VecLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long holderPid;

  /**
   * Creates the exception.
   *
   * @param detail who holds the file and how, without the file name
   * @param file the file that could not be locked
   * @param holderPid the process id of the holder, or -1 when it cannot be known
   */
  public VecLockedException(String detail, Path file, long holderPid) {
    super(detail + " (" + file + ")");
    this.file = file;
    this.holderPid = holderPid;
  }

  /** {@return the file that could not be locked} */
  public Path file() {
    return file;
  }

  /** {@return the process id of the lock holder, when the operating system tells it} */
  public OptionalLong holderPid() {
    return holderPid < 0 ? OptionalLong.empty() : OptionalLong.of(holderPid);
  }
}
