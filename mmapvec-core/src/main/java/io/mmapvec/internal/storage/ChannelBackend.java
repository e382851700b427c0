package io.mmapvec.internal.storage;

import io.mmapvec.internal.posix.Posix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The portable fallback: {@link FileChannel} mapping and locking. Weaker than the native backend,
 * and the warning from {@link Backend#current()} says how: its lock is a classic POSIX lock that
 * the JVM drops when any descriptor of the file closes; it takes no {@code flock} lock; growth
 * writes zeros to allocate blocks; mappings are exactly the file size, so growth remaps.
 */
final class ChannelBackend implements Backend {
  static final ChannelBackend INSTANCE = new ChannelBackend();

  private static final int ZERO_CHUNK = 1 << 20;

  private ChannelBackend() {}

  @Override
  public String name() {
    return "channel";
  }

  @Override
  public int pageSize() {
    return 4096;
  }

  @Override
  public boolean reservesAddressSpace() {
    return false;
  }

  @Override
  public boolean liveReaders() {
    return false;
  }

  @Override
  public BackendFile open(Path path, boolean writable, boolean createExclusive) throws IOException {
    FileChannel ch;
    if (createExclusive) {
      ch =
          FileChannel.open(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } else if (writable) {
      ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } else {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    }
    return new ChannelFile(path, ch, writable || createExclusive);
  }

  @Override
  public void publishNoReplace(Path from, Path to) throws IOException {
    try {
      // A hard link never replaces an existing name: of two racing creators, one gets
      // FileAlreadyExistsException.
      Files.createLink(to, from);
    } catch (UnsupportedOperationException e) {
      if (Files.exists(to)) {
        throw new FileAlreadyExistsException(to.toString());
      }
      Files.move(from, to);
      return;
    }
    Files.delete(from);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open or sync a directory; the file itself was synced.
    }
  }

  @Override
  public void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // Best effort, as in the native backend.
    }
  }

  private static final class ChannelFile implements BackendFile {
    private Path path;
    private final FileChannel ch;
    private final boolean writable;
    private FileLock lock;

    ChannelFile(Path path, FileChannel ch, boolean writable) {
      this.path = path;
      this.ch = ch;
      this.writable = writable;
    }

    @Override
    public FileId id() throws IOException {
      // FileChannel cannot fstat; the name was just opened, and Storage compares this with the
      // identity it registered, so a file replaced in between is noticed.
      return FileId.of(path);
    }

    @Override
    public long size() throws IOException {
      try {
        return ch.size();
      } catch (IOException e) {
        throw failed("size", e);
      }
    }

    @Override
    public boolean tryLock(boolean exclusive) throws IOException {
      try {
        lock = ch.tryLock(0, Long.MAX_VALUE, !exclusive);
      } catch (OverlappingFileLockException e) {
        return false; // this JVM holds a FileChannel lock on the file elsewhere
      }
      return lock != null;
    }

    @Override
    public boolean writerAlive() {
      return false; // this backend's readers hold the whole file shared: no writer can be open
    }

    @Override
    public boolean tryExcludeReaders() {
      return true; // this backend's writer holds the whole file: no reader can be open
    }

    @Override
    public boolean tryExcludeWriters() {
      return true; // this backend's reader holds the whole file shared: no writer can be open
    }

    @Override
    public void allowReaders() {}

    @Override
    public long lockHolderPid() {
      try {
        FileId id = id();
        return Posix.lockHolderPid(id.dev(), id.ino());
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    @Override
    public long readHeader(MemorySegment dst) throws IOException {
      ByteBuffer buf = dst.asByteBuffer();
      long pos = 0;
      try {
        while (buf.hasRemaining()) {
          int n = ch.read(buf, pos);
          if (n < 0) {
            break;
          }
          pos += n;
        }
      } catch (IOException e) {
        throw failed("read", e);
      }
      return pos;
    }

    @Override
    public void write(MemorySegment src, long offset) throws IOException {
      try {
        ByteBuffer buf = src.asByteBuffer();
        long pos = offset;
        while (buf.hasRemaining()) {
          pos += ch.write(buf, pos);
        }
      } catch (IOException e) {
        throw failed("write", e);
      }
    }

    /** FileChannel's messages name neither the call nor the file; ours do. */
    private IOException failed(String what, Exception e) {
      return new IOException(what + " failed: " + e.getMessage() + " (" + path + ")", e);
    }

    @Override
    public void allocate(long oldSize, long newSize) throws IOException {
      // No fallocate here: write real zeros, so that no mapped page is a hole that could raise
      // SIGBUS on a full disk.
      ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
      long pos = oldSize;
      try {
        while (pos < newSize) {
          zeros.clear().limit((int) Math.min(ZERO_CHUNK, newSize - pos));
          while (zeros.hasRemaining()) {
            pos += ch.write(zeros, pos);
          }
        }
      } catch (IOException e) {
        throw failed("allocating " + (newSize - oldSize) + " bytes", e);
      }
    }

    @Override
    public void truncate(long newSize) throws IOException {
      try {
        ch.truncate(newSize);
      } catch (IOException e) {
        throw failed("truncate", e);
      }
    }

    @Override
    public MemorySegment map(long length, Arena arena) throws IOException {
      try {
        return ch.map(
            writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
            0,
            length,
            arena);
      } catch (IOException e) {
        throw failed("map", e);
      }
    }

    @Override
    public void syncRange(MemorySegment mapping, long offset, long length) throws IOException {
      if (!writable) {
        syncFile(); // a read-only mapping cannot be forced; fdatasync works on any descriptor
        return;
      }
      if (length > 0) {
        try {
          mapping.asSlice(offset, length).force();
        } catch (UncheckedIOException e) {
          throw failed("force", e.getCause());
        }
      }
    }

    @Override
    public void syncFile() throws IOException {
      try {
        ch.force(false);
      } catch (IOException e) {
        throw failed("force", e);
      }
    }

    @Override
    public void renamedTo(Path newPath) {
      path = newPath;
    }

    @Override
    public void close() throws IOException {
      // Closing the channel releases the lock.
      ch.close();
    }
  }
}
