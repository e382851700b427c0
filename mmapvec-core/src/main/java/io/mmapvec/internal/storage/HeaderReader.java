package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.LiveHeader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a vector file's header without knowing what the file holds (for {@code VecFiles}): opens it
 * read-only, takes the locks a live reader takes (durability rule 2), decodes the header with
 * {@link HeaderFormat#decodeAny}, shows the commit the visibility gate allows (a writer may be
 * working on the file), and closes the file again. Nothing is mapped and nothing is written.
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
   * {@return the header with the commit a live reader would show: a writer may be open, and its
   * newest slot may not be durable yet (docs/FORMAT.md, "Live readers")}
   */
  private static Header visible(Header header, MemorySegment bytes, BackendFile file)
      throws IOException {
    CommitSlot shown =
        Visibility.choose(
            bytes,
            0,
            new Visibility.Gate() {
              @Override
              public boolean writerAlive() throws IOException {
                return file.writerAlive();
              }

              @Override
              public void syncSlotPages() throws IOException {
                file.syncFile();
              }
            });
    if (shown == null || header.other() == null || shown.equals(header.active())) {
      return header;
    }
    return new Header(
        header.identity(),
        header.formatVersion(),
        header.pageSizeAtCreate(),
        header.createdMillis(),
        1 - header.activeSlot(),
        header.other(),
        header.active());
  }

  /**
   * Reads and validates the header of the file at {@code path}.
   *
   * @param path the file
   * @param backend the native backend or the fallback
   * @return the header and the file size
   * @throws io.mmapvec.VecFormatException if the file is not a valid mmapvec file
   * @throws VecLockedException if a writer of an older version or on the fallback holds the file,
   *     or this JVM has it open through the fallback (a second descriptor would drop the fallback's
   *     POSIX locks when closed, rule 9)
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
      try (Arena a = Arena.ofConfined()) {
        // The header and the published sequence word after it, for the visibility gate.
        MemorySegment buf = a.allocate(LiveHeader.PUBLISHED_SEQUENCE_OFFSET + Long.BYTES, 8);
        long n = locked.file().readHeader(buf);
        long headerBytes = Math.min(n, HeaderFormat.HEADER_READ_BYTES);
        Header header = HeaderFormat.decodeAny(buf.asSlice(0, headerBytes), fileBytes, path);
        if (n == buf.byteSize()) {
          header = visible(header, buf, locked.file());
        }
        return new Result(header, fileBytes);
      }
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
}
