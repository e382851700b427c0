package io.mmapvec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The file is not the vector that was asked for, or it is damaged. {@link #reason()} says which
 * check failed; the message says what was found, what was expected, and names the file.
 *
 * <p>Opening never rewrites a file that fails a check: the file is left exactly as it was found.
 */
public final class VecFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Which check of the header failed. */
  public enum Reason {
    /** The library signature is missing: this is not a mmapvec file at all. */
    NOT_A_MMAPVEC_FILE,
    /** The application's magic bytes differ from those asked for at open. */
    MAGIC_MISMATCH,
    /** The byte-order marker is neither this machine's order nor the other one: damaged. */
    BAD_BYTE_ORDER_MARKER,
    /** The file was written on a machine of the other byte order; convert it with the tool. */
    BYTE_ORDER_MISMATCH,
    /** The file's format version is not one this library reads. */
    UNSUPPORTED_FORMAT_VERSION,
    /** The header's data offset is not the one the format defines. */
    BAD_DATA_OFFSET,
    /** The application's data version in the file differs from the one asked for at open. */
    DATA_VERSION_MISMATCH,
    /** The element type, size, alignment or record layout differs from the one asked for. */
    ELEMENT_TYPE_MISMATCH,
    /** The file is shorter than its header or than the committed data needs. */
    TRUNCATED,
    /** A header checksum does not match: the identity block, or both commit slots, are damaged. */
    CHECKSUM_MISMATCH,
    /**
     * The file is larger than a vector may be (2^46 bytes), or its commit sequence is above 2^62:
     * the file was crafted or damaged, and opening it could not work (see docs/FORMAT.md).
     */
    LIMIT_EXCEEDED
  }

  private final Reason reason;
  private final transient Path file;

  /**
   * Creates the exception.
   *
   * @param reason which check failed
   * @param detail what was found and what was expected, without the file name
   * @param file the file that failed the check
   */
  public VecFormatException(Reason reason, String detail, Path file) {
    super(detail + " (" + file + ")");
    this.reason = Objects.requireNonNull(reason);
    this.file = file;
  }

  /** {@return which check failed} */
  public Reason reason() {
    return reason;
  }

  /** {@return the file that failed the check} */
  public Path file() {
    return file;
  }
}
