package io.mmapvec.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An export or import that cannot be done because of what a file holds: a Parquet column of a type
 * with no vector counterpart, a null value, a column that does not exist. The message names the
 * file and the problem; nothing was written under the target name.
 */
public final class ExportException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file the problem is in. */
  private final transient Path file;

  /**
   * Creates the exception.
   *
   * @param file the file the problem is in
   * @param problem what is wrong, as a sentence fragment that follows the file name
   */
  public ExportException(Path file, String problem) {
    super(Objects.requireNonNull(file, "file") + " " + Objects.requireNonNull(problem, "problem"));
    this.file = file;
  }

  /** {@return the file the problem is in} */
  public Path file() {
    return file;
  }
}
