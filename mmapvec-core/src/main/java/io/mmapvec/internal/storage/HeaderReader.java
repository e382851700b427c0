package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderByteOrder;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Reads the header bytes of an open file and decodes them: the one place a header is read from a
 * file. Opening ({@link FileOpener}) decodes this machine's order against the identity asked for;
 * inspection ({@link RawFile}) accepts any identity in either byte order.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class HeaderReader {
  private HeaderReader() {}

  /**
   * Reads the header of an open, locked file and decodes it in this machine's byte order.
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
      MemorySegment bytes = read(file, a);
      return expected == null
          ? HeaderFormat.decodeAny(bytes, fileBytes, path)
          : HeaderFormat.decode(bytes, fileBytes, expected, path);
    }
  }

  /**
   * Reads the header of an open file and decodes it in whichever byte order it was written.
   *
   * @param file the file
   * @param fileBytes its size
   * @param path its name, for messages
   * @throws io.mmapvec.VecFormatException if the header is invalid in either order
   */
  static HeaderByteOrder.Decoded decodeEitherOrder(BackendFile file, long fileBytes, Path path)
      throws IOException {
    try (Arena a = Arena.ofConfined()) {
      return HeaderByteOrder.decodeEitherOrder(read(file, a), fileBytes, path);
    }
  }

  private static MemorySegment read(BackendFile file, Arena a) throws IOException {
    MemorySegment buf = a.allocate(HeaderFormat.HEADER_READ_BYTES);
    return buf.asSlice(0, file.readHeader(buf));
  }
}
