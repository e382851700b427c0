package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a vector file's header without knowing what the file holds (for {@code VecFiles}): opens it
 * read-only, takes the shared locks a reader takes (durability rule 2), decodes the header with
 * {@link HeaderFormat#decodeAny}, and closes the file again. Nothing is mapped and nothing is
 * written.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class HeaderReader {
  /** Lookups of the name before giving up on a file that keeps being replaced. */
  private static final int ATTEMPTS = 8;

  private HeaderReader() {}

  /**
   * A header as read.
   *
   * @param header the validated header, with the identity found in the file
   * @param fileBytes the file's size in bytes when it was read
   */
  public record Result(Header header, long fileBytes) {}

  /**
   * Reads and validates the header of the file at {@code path}.
   *
   * @param path the file
   * @param backend the native backend or the fallback
   * @return the header and the file size
   * @throws io.mmapvec.VecFormatException if the file is not a valid mmapvec file
   * @throws VecLockedException if a writer holds the file, or this JVM has it open (a second
   *     descriptor would drop the fallback's POSIX locks when closed, rule 9)
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read
   */
  public static Result read(Path path, Backend backend) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(backend, "backend");
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      FileId id = FileId.of(path);
      // Rule 9, before any descriptor exists: closing a descriptor of a file drops every classic
      // POSIX lock this process holds on it, so a file this JVM has open must not be opened again.
      OpenFiles.register(id, path);
      try {
        Result r = readRegistered(path, backend, id);
        if (r != null) {
          return r;
        }
      } finally {
        OpenFiles.unregister(id);
      }
    }
    throw new IOException("file keeps being replaced while its header is read (" + path + ")");
  }

  /** {@return the header, or null if the name now leads to another file than {@code id}} */
  private static Result readRegistered(Path path, Backend backend, FileId id) throws IOException {
    BackendFile f;
    try {
      f = backend.open(path, false, false);
    } catch (NoSuchFileException e) {
      return null;
    }
    IOException failure = null;
    try {
      if (!f.id().equals(id)) {
        return null;
      }
      if (!f.tryLock(false)) {
        long pid = f.lockHolderPid();
        String who = pid > 0 ? "process " + pid : "another process";
        throw new VecLockedException(
            "cannot lock for reading: " + who + " holds a conflicting lock", path, pid);
      }
      long fileBytes = f.size();
      try (Arena a = Arena.ofConfined()) {
        MemorySegment buf = a.allocate(HeaderFormat.HEADER_READ_BYTES);
        long n = f.readHeader(buf);
        return new Result(HeaderFormat.decodeAny(buf.asSlice(0, n), fileBytes, path), fileBytes);
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    } finally {
      try {
        f.close();
      } catch (IOException e) {
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
  }
}
