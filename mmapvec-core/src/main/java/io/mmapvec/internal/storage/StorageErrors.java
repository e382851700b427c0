package io.mmapvec.internal.storage;

import io.mmapvec.VecClosedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The exceptions the storage throws, worded once: each names the file and the problem.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class StorageErrors {
  private StorageErrors() {}

  static VecClosedException closed(Path path) {
    return new VecClosedException("vector is closed (" + path + ")");
  }

  static IndexOutOfBoundsException index(Path path, long index, long size) {
    return new IndexOutOfBoundsException(
        "index " + index + " out of bounds for length " + size + " (" + path + ")");
  }

  static IndexOutOfBoundsException insertIndex(Path path, long index, long size) {
    return new IndexOutOfBoundsException(
        "insert index " + index + " out of bounds for length " + size + " (" + path + ")");
  }

  static IndexOutOfBoundsException range(Path path, long from, long count, long size) {
    return new IndexOutOfBoundsException(
        "range ["
            + from
            + ", "
            + from
            + " + "
            + count
            + ") out of bounds for length "
            + size
            + " ("
            + path
            + ")");
  }

  static UnsupportedOperationException readOnly(Path path) {
    return new UnsupportedOperationException("vector is read-only (" + path + ")");
  }

  /** A write refused because an earlier sync failed (rule 7). */
  static UncheckedIOException writeAfterPoison(Path path, IOException poison) {
    return new UncheckedIOException(
        new IOException(
            "vector refuses writes after a failed sync; reopen it (" + path + ")", poison));
  }

  /** A sync refused because an earlier one failed (rule 7). */
  static IOException syncAfterPoison(Path path, IOException poison) {
    return new IOException("an earlier sync failed; reopen the vector (" + path + ")", poison);
  }

  /**
   * A fault of mapped memory: the JDK reports SIGBUS as an {@link InternalError} (the file was cut
   * by another process, or a hole could not be filled on a full disk).
   */
  static IOException fault(Path path, InternalError e) {
    return new IOException(
        "a fault of mapped memory: the file was cut by another process, or the disk is full"
            + " under a hole of it; reopen the vector ("
            + path
            + ")",
        e);
  }

  static IllegalArgumentException negativeSize(Path path, long newSize) {
    return new IllegalArgumentException("new size " + newSize + " is negative (" + path + ")");
  }

  static IllegalArgumentException tooLarge(Path path, long have, long more, long elementSize) {
    return new IllegalArgumentException(
        "cannot hold "
            + have
            + " + "
            + more
            + " elements of "
            + elementSize
            + " bytes ("
            + path
            + ")");
  }

  static UncheckedIOException cannotGrow(Path path, long size, IOException cause) {
    return new UncheckedIOException(
        "cannot grow to " + size + " elements; the vector is unchanged (" + path + ")", cause);
  }

  static IllegalStateException tooLongForArray(Path path, long size) {
    return new IllegalStateException(
        size + " elements do not fit in a Java array; use copyTo in parts (" + path + ")");
  }
}
