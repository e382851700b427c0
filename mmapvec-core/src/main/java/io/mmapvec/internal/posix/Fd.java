package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.mmapvec.NativeCallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * File descriptors: {@code open}, {@code close}, {@code fsync}, {@code fdatasync}, {@code
 * ftruncate}, {@code fallocate}, {@code pread}, {@code pwrite}.
 */
final class Fd {
  private Fd() {}

  // Open flags shared by x86_64 and aarch64; O_DIRECTORY differs and lives in Platform.Arch.
  private static final int O_RDONLY = 0;
  private static final int O_RDWR = 2;
  private static final int O_CREAT = 0100;
  private static final int O_EXCL = 0200;
  private static final int O_CLOEXEC = 02000000;

  /**
   * Never wait in open: a FIFO opened for reading would block until a writer comes. No effect on
   * regular files; the caller refuses anything else by its fstat.
   */
  private static final int O_NONBLOCK = 04000;

  /** {@code 0644}: the mode a created file gets, less the umask. */
  private static final int MODE_0644 = 0644;

  /** Longest single transfer: Linux moves at most 0x7ffff000 bytes per read or write anyway. */
  private static final long MAX_TRANSFER = 1L << 30;

  /** Bounce buffer size for heap segments, which a downcall cannot take directly. */
  private static final long BOUNCE_SIZE = 1L << 20;

  // int open(const char *pathname, int flags, ... /* mode_t mode */);
  private static final MethodHandle OPEN =
      Libc.downcall(
          "open",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
          Libc.CAPTURE_ERRNO,
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle CLOSE =
      Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);
  private static final MethodHandle FSYNC =
      Libc.downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);
  private static final MethodHandle FDATASYNC =
      Libc.downcall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);
  // int ftruncate(int fd, off_t length);  off_t is 64-bit on both architectures
  private static final MethodHandle FTRUNCATE =
      Libc.downcall(
          "ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Libc.CAPTURE_ERRNO);
  // int fallocate(int fd, int mode, off_t offset, off_t len);
  private static final MethodHandle FALLOCATE =
      Libc.downcall(
          "fallocate",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
          Libc.CAPTURE_ERRNO);
  // ssize_t pread(int fd, void *buf, size_t count, off_t offset);
  private static final MethodHandle PREAD =
      Libc.downcall(
          "pread",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
          Libc.CAPTURE_ERRNO);
  // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
  private static final MethodHandle PWRITE =
      Libc.downcall(
          "pwrite",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
          Libc.CAPTURE_ERRNO);

  /**
   * Opens a file, always with {@code O_CLOEXEC} so no child process inherits the descriptor (or its
   * locks); retried on EINTR.
   *
   * @param path the file
   * @param writable {@code O_RDWR} if true, else {@code O_RDONLY}
   * @param createExclusive add {@code O_CREAT | O_EXCL}, mode 0644 less the umask
   * @param directory add {@code O_DIRECTORY}: fail unless it is a directory
   * @return the descriptor
   * @throws IOException a {@code java.nio.file} exception for ENOENT, EEXIST, EACCES and EPERM,
   *     else a {@link NativeCallException}
   */
  static int open(Path path, boolean writable, boolean createExclusive, boolean directory)
      throws IOException {
    int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK;
    if (createExclusive) {
      flags |= O_CREAT | O_EXCL;
    }
    if (directory) {
      flags |= Platform.ARCH.oDirectory;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment name = Libc.cString(arena, path);
      while (true) {
        int fd;
        try {
          fd = (int) OPEN.invokeExact(state, name, flags, MODE_0644);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (fd >= 0) {
          return fd;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.pathFailure("open", errno, path, null);
        }
      }
    }
  }

  /**
   * {@code close}. Not retried on EINTR: Linux has already released the descriptor then, and a
   * retry could close a descriptor another thread has just been given.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if it fails (EBADF, EIO)
   */
  static void close(int fd, Path file) throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      int result;
      try {
        result = (int) CLOSE.invokeExact(state, fd);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (result != 0) {
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("close", errno, file);
        }
      }
    }
  }

  /**
   * {@code fsync}, retried on EINTR (an interrupted call has not reported a write-back error).
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if it fails; do not retry, the data may be lost
   */
  static void fsync(int fd, Path file) throws NativeCallException {
    sync(FSYNC, "fsync", fd, file);
  }

  /**
   * {@code fdatasync}, retried on EINTR.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if it fails; do not retry, the data may be lost
   */
  static void fdatasync(int fd, Path file) throws NativeCallException {
    sync(FDATASYNC, "fdatasync", fd, file);
  }

  private static void sync(MethodHandle handle, String function, int fd, Path file)
      throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      while (true) {
        int result;
        try {
          result = (int) handle.invokeExact(state, fd);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure(function, errno, file);
        }
      }
    }
  }

  /**
   * {@code ftruncate}, retried on EINTR.
   *
   * @param fd the descriptor, open for writing
   * @param size the new size in bytes
   * @param file the file, for the message
   * @throws NativeCallException if it fails
   */
  static void ftruncate(int fd, long size, Path file) throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      while (true) {
        int result;
        try {
          result = (int) FTRUNCATE.invokeExact(state, fd, size);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("ftruncate", errno, file);
        }
      }
    }
  }

  /**
   * {@code fallocate(fd, 0, offset, length)}, retried on EINTR.
   *
   * @param fd the descriptor, open for writing
   * @param offset the first byte to allocate
   * @param length how many bytes to allocate
   * @param file the file, for the message
   * @throws NativeCallException if it fails, including EOPNOTSUPP where the file system cannot
   */
  static void fallocate(int fd, long offset, long length, Path file) throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      while (true) {
        int result;
        try {
          result = (int) FALLOCATE.invokeExact(state, fd, 0, offset, length);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("fallocate", errno, file);
        }
      }
    }
  }

  /**
   * Reads until {@code dst} is full or end of file, retried on EINTR and short reads.
   *
   * @param fd the descriptor
   * @param dst where to read into: native, or heap (copied through a native buffer)
   * @param offset the file offset to read from
   * @param file the file, for the message
   * @return the number of bytes read, less than {@code dst.byteSize()} only at end of file
   * @throws NativeCallException if a read fails
   */
  static long pread(int fd, MemorySegment dst, long offset, Path file) throws NativeCallException {
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("pread into a read-only segment");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("negative file offset " + offset);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      if (dst.isNative()) {
        return preadNative(state, fd, dst, offset, file);
      }
      // A downcall cannot pass a heap segment: read through a native buffer.
      MemorySegment bounce = arena.allocate(Math.min(dst.byteSize(), BOUNCE_SIZE));
      long done = 0;
      while (done < dst.byteSize()) {
        long chunk = Math.min(dst.byteSize() - done, bounce.byteSize());
        long n = preadNative(state, fd, bounce.asSlice(0, chunk), offset + done, file);
        MemorySegment.copy(bounce, 0, dst, done, n);
        done += n;
        if (n < chunk) {
          break;
        }
      }
      return done;
    }
  }

  private static long preadNative(
      MemorySegment state, int fd, MemorySegment dst, long offset, Path file)
      throws NativeCallException {
    long done = 0;
    while (done < dst.byteSize()) {
      long count = Math.min(dst.byteSize() - done, MAX_TRANSFER);
      long n;
      try {
        n = (long) PREAD.invokeExact(state, fd, dst.asSlice(done, count), count, offset + done);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (n > 0) {
        done += n;
      } else if (n == 0) {
        break; // end of file
      } else {
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("pread", errno, file);
        }
      }
    }
    return done;
  }

  /**
   * Writes all of {@code src} at {@code offset}, retried on EINTR and short writes.
   *
   * @param fd the descriptor, open for writing
   * @param src what to write: native, or heap (copied through a native buffer)
   * @param offset the file offset to write at
   * @param file the file, for the message
   * @throws NativeCallException if a write fails
   */
  static void pwrite(int fd, MemorySegment src, long offset, Path file) throws NativeCallException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative file offset " + offset);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      if (src.isNative()) {
        pwriteNative(state, fd, src, offset, file);
        return;
      }
      // A downcall cannot pass a heap segment: write through a native buffer.
      MemorySegment bounce = arena.allocate(Math.min(src.byteSize(), BOUNCE_SIZE));
      for (long done = 0; done < src.byteSize(); ) {
        long chunk = Math.min(src.byteSize() - done, bounce.byteSize());
        MemorySegment.copy(src, done, bounce, 0, chunk);
        pwriteNative(state, fd, bounce.asSlice(0, chunk), offset + done, file);
        done += chunk;
      }
    }
  }

  private static void pwriteNative(
      MemorySegment state, int fd, MemorySegment src, long offset, Path file)
      throws NativeCallException {
    long done = 0;
    while (done < src.byteSize()) {
      long count = Math.min(src.byteSize() - done, MAX_TRANSFER);
      long n;
      try {
        n = (long) PWRITE.invokeExact(state, fd, src.asSlice(done, count), count, offset + done);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (n >= 0) {
        // A short write (even of 0 bytes) is retried for the rest; a persistent failure such as
        // ENOSPC shows as an error on the next attempt.
        done += n;
      } else {
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("pwrite", errno, file);
        }
      }
    }
  }
}
