package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderByteOrder;
import io.mmapvec.internal.format.HeaderFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A vector file opened without its element class, for inspection, verification and conversion: the
 * header is read in either byte order ({@link HeaderByteOrder}), and the committed elements are
 * mapped read-only on demand. Nothing is ever written.
 *
 * <p><b>Locking:</b> {@link #open(Path, Backend, boolean)} with {@code lock} takes the shared locks
 * a reader takes (durability rule 2), so no writer changes the file while it is open. Without it,
 * no lock is taken at all (nothing waits, nothing is refused because of a writer): the header read
 * is the last one committed, which the commit slots make safe to read during a sync (rule 4). A
 * file this JVM already has open is refused with the fallback backend, whose POSIX locks a second
 * descriptor would drop when closed (rule 9); the native backend's OFD and {@code flock} locks do
 * not have that problem, so there an unlocked open goes ahead.
 *
 * <p><b>Threads:</b> one thread at a time; {@link #close()} only when no thread reads {@link
 * #data()}.
 *
 * <p><b>Lifetime:</b> the segment from {@link #data()} is unusable after {@link #close()} (accesses
 * throw {@link IllegalStateException}).
 */
public final class RawFile implements AutoCloseable {
  private static final int ATTEMPTS = 8;

  private final Path path;
  private final BackendFile file;
  private final FileId id;

  /** How this JVM registered the file ({@link OpenFiles}), or null when it did not. */
  private final OpenFiles.Role registered;

  private final Header header;
  private final ByteOrder byteOrder;
  private final long fileBytes;
  private Arena arena;
  private MemorySegment data;
  private boolean closed;

  private RawFile(
      Path path,
      BackendFile file,
      FileId id,
      OpenFiles.Role registered,
      Header header,
      ByteOrder byteOrder,
      long fileBytes) {
    this.path = path;
    this.file = file;
    this.id = id;
    this.registered = registered;
    this.header = header;
    this.byteOrder = byteOrder;
    this.fileBytes = fileBytes;
  }

  /**
   * Opens the file and reads its header, in either byte order.
   *
   * @param path the file
   * @param backend the native backend or the fallback
   * @param lock whether to take the snapshot locks ({@link LockedFile#openSnapshot})
   * @return the open file
   * @throws io.mmapvec.VecFormatException if the file is not a valid mmapvec file (in either order)
   * @throws VecLockedException with {@code lock}, if a writer holds the file; either way, if this
   *     JVM has it open and the backend is the fallback (or with {@code lock}, at all)
   * @throws NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read
   */
  public static RawFile open(Path path, Backend backend, boolean lock) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(backend, "backend");
    if (lock) {
      LockedFile locked = LockedFile.openSnapshot(path, backend);
      try {
        return read(path, locked.file(), locked.id(), locked.role());
      } catch (Throwable t) {
        locked.releaseQuietly();
        throw t;
      }
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      // Before any open, as LockedFile does: opening a FIFO for reading blocks until a writer
      // comes.
      LockedFile.requireRegular(
          path, Files.readAttributes(path, BasicFileAttributes.class).isRegularFile());
      FileId id = FileId.of(path);
      // The native backend's OFD and flock locks survive another descriptor's close, so its
      // unlocked reads need no registration (and so never make a concurrent open in this JVM
      // fail); the fallback's POSIX locks do not, so there a file open in this JVM is refused.
      OpenFiles.Role registered = backend != Backend.nativeBackend() ? OpenFiles.Role.SOLE : null;
      if (registered != null) {
        OpenFiles.register(id, path, registered);
      }
      BackendFile f = null;
      try {
        f = backend.open(path, false, false);
        if (f.id().equals(id)) {
          return read(path, f, id, registered);
        }
      } catch (NoSuchFileException e) {
        // Replaced between the look-up and the open: look again.
      } catch (Throwable t) {
        if (f != null) {
          LockedFile.closeQuietly(f);
        }
        if (registered != null) {
          OpenFiles.unregister(id, registered);
        }
        throw t;
      }
      if (f != null) {
        LockedFile.closeQuietly(f);
      }
      if (registered != null) {
        OpenFiles.unregister(id, registered);
      }
    }
    throw new IOException("file keeps being replaced while it is read (" + path + ")");
  }

  private static RawFile read(Path path, BackendFile f, FileId id, OpenFiles.Role registered)
      throws IOException {
    long fileBytes = f.size();
    HeaderByteOrder.Decoded d = HeaderReader.decodeEitherOrder(f, fileBytes, path);
    return new RawFile(path, f, id, registered, d.header(), d.byteOrder(), fileBytes);
  }

  /** {@return the validated header, its values in this machine's order} */
  public Header header() {
    return header;
  }

  /** {@return the byte order the file was written in} */
  public ByteOrder byteOrder() {
    return byteOrder;
  }

  /** {@return the file size in bytes when the header was read} */
  public long fileBytes() {
    return fileBytes;
  }

  /** {@return the file's device and inode} */
  public FileId id() {
    return id;
  }

  /** {@return the committed bytes of data, {@code length * elementSize}} */
  public long dataBytes() {
    return header.size() * header.identity().layout().elementSize();
  }

  /**
   * {@return the committed elements, mapped read-only on first use: {@link #dataBytes()} bytes,
   * element {@code i} at {@code i * elementSize}, in the file's byte order}
   *
   * @throws IOException if the file cannot be mapped
   * @throws IllegalStateException after {@link #close()}
   */
  public MemorySegment data() throws IOException {
    if (closed) {
      throw new IllegalStateException("file is closed (" + path + ")");
    }
    if (data == null) {
      long bytes = dataBytes();
      if (bytes == 0) {
        data = MemorySegment.ofArray(new byte[0]).asReadOnly();
      } else {
        Arena a = Arena.ofShared();
        try {
          MemorySegment m = file.map(HeaderFormat.DATA_OFFSET + bytes, a);
          data = m.asSlice(HeaderFormat.DATA_OFFSET, bytes).asReadOnly();
          arena = a;
        } catch (IOException | RuntimeException e) {
          a.close();
          throw e;
        }
      }
    }
    return data;
  }

  /** Unmaps, releases the locks and closes the file. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (arena != null) {
        arena.close();
      }
    } finally {
      try {
        file.close();
      } finally {
        if (registered != null) {
          OpenFiles.unregister(id, registered);
        }
      }
    }
  }
}
