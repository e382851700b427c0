package io.mmapvec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A system call failed. The message names the function, the {@code errno} name and its meaning, and
 * the file, for example {@code "fallocate failed: ENOSPC (No space left on device)
 * (data/ticks.vec)"}.
 */
public final class NativeCallException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String function;
  private final int errno;
  private final String errnoName;
  private final transient Path file;

  /**
   * Creates the exception.
   *
   * @param function the system call, e.g. {@code "msync"}
   * @param errno the raw {@code errno} value
   * @param errnoName its symbolic name, e.g. {@code "ENOSPC"}
   * @param description what the error means, e.g. {@code "No space left on device"}
   * @param file the file the call was about, or {@code null}
   */
  public NativeCallException(
      String function, int errno, String errnoName, String description, Path file) {
    super(
        function
            + " failed: "
            + errnoName
            + " ("
            + description
            + ")"
            + (file == null ? "" : " (" + file + ")"));
    this.function = function;
    this.errno = errno;
    this.errnoName = errnoName;
    this.file = file;
  }

  /** {@return the system call that failed} */
  public String function() {
    return function;
  }

  /** {@return the raw {@code errno} value} */
  public int errno() {
    return errno;
  }

  /** {@return the symbolic name of {@link #errno()}, such as {@code "ENOSPC"}} */
  public String errnoName() {
    return errnoName;
  }

  /** {@return the file the call was about, or {@code null}} */
  public Path file() {
    return file;
  }
}
