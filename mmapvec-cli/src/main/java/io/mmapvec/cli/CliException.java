package io.mmapvec.cli;

/**
 * A failure the tool reports as one line on stderr, {@code "mmapvec: " + getMessage()}, and exits
 * with {@link #exitCode()}. The message names the file and says what is wrong with it; no stack
 * trace is ever printed for it.
 */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /**
   * Creates the exception.
   *
   * @param exitCode one of the exit codes named in {@link Main}
   * @param message one line: what failed, on which file, and why
   * @param cause the underlying exception, or null
   */
  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** {@return the process exit code for this failure} */
  int exitCode() {
    return exitCode;
  }
}
