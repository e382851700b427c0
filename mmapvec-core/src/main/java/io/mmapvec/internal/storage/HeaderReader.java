package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
    LockedFile locked = LockedFile.open(path, backend, false);
    IOException failure = null;
    try {
      long fileBytes = locked.file().size();
      return new Result(decode(locked.file(), fileBytes, path, null), fileBytes);
    } catch (IOException e) {
      failure = e;
      throw e;
    } finally {
      if (failure == null) {
        locked.release();
      } else {
        locked.releaseQuietly();
      }
    }
  }

  /**
   * Reads the header bytes of an open, locked file and decodes them: the one place a header is read
   * from a file.
   *
   * @param file the file
   * @param fileBytes its size
   * @param path its name, for messages
   * @param expected the identity the caller asks for, or null to accept any valid identity
   * @throws io.mmapvec.VecFormatException if the header is invalid or, with {@code expected}, of
   *     another identity
   */
  static Header decode(BackendFile file, long fileBytes, Path path, Identity expected)
      throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(HeaderFormat.HEADER_READ_BYTES);
      MemorySegment bytes = buf.asSlice(0, file.readHeader(buf));
      return expected == null
          ? HeaderFormat.decodeAny(bytes, fileBytes, path)
          : HeaderFormat.decode(bytes, fileBytes, expected, path);
    }
  }
}
