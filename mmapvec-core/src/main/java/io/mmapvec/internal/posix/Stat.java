package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.mmapvec.NativeCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * File and file-system metadata: {@code fstat} (or {@code statx} where glibc lacks an {@code fstat}
 * symbol).
 */
final class Stat {
  private Stat() {}

  // glibc struct stat: st_dev@0 (u64), st_ino@8 (u64), st_size@48 (i64) on both architectures;
  // st_mode is at Platform.ARCH.statModeOffset. 144 bytes on x86_64, 128 on aarch64.
  private static final long ST_DEV = 0;
  private static final long ST_INO = 8;
  private static final long ST_SIZE = 48;

  /** Room for either architecture's struct stat, and struct statx (256). */
  private static final long BUFFER_SIZE = 256;

  // struct statx is the same on every architecture (include/uapi/linux/stat.h).
  private static final long STX_MODE = 28; // u16
  private static final long STX_INO = 32; // u64
  private static final long STX_SIZE = 40; // u64
  private static final long STX_DEV_MAJOR = 136; // u32
  private static final long STX_DEV_MINOR = 140; // u32
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int STATX_TYPE_MODE_INO_SIZE = 0x1 | 0x2 | 0x100 | 0x200;

  // int fstat(int fd, struct stat *buf): a real libc symbol only since glibc 2.33; before that
  // it was an inline wrapper around __fxstat in libc_nonshared.a, invisible to a symbol lookup.
  private static final Optional<MethodHandle> FSTAT =
      Libc.optionalDowncall(
          "fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Libc.CAPTURE_ERRNO);

  // int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf);
  // glibc >= 2.28, which the renameat2 fallback needs anyway.
  private static final Optional<MethodHandle> STATX =
      Libc.optionalDowncall(
          "statx",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
          Libc.CAPTURE_ERRNO);

  /**
   * {@code fstat} of the descriptor.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @return device, inode, size and mode
   * @throws NativeCallException if it fails
   */
  static FileStat fstat(int fd, Path file) throws NativeCallException {
    if (FSTAT.isPresent()) {
      return viaFstat(FSTAT.get(), fd, file);
    }
    if (STATX.isPresent()) {
      return viaStatx(STATX.get(), fd, file);
    }
    throw new UnsatisfiedLinkError("libc has neither fstat nor statx (mmapvec needs glibc 2.28+)");
  }

  /**
   * {@code statx(fd, "", AT_EMPTY_PATH)}: what {@link #fstat} uses where glibc (before 2.33) has no
   * {@code fstat} symbol; visible for tests.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @return device, inode, size and mode
   * @throws NativeCallException if it fails
   */
  static FileStat fstatViaStatx(int fd, Path file) throws NativeCallException {
    return viaStatx(
        STATX.orElseThrow(() -> new UnsatisfiedLinkError("libc has no statx")), fd, file);
  }

  private static FileStat viaFstat(MethodHandle fstat, int fd, Path file)
      throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment buf = arena.allocate(BUFFER_SIZE, 8);
      while (true) {
        int result;
        try {
          result = (int) fstat.invokeExact(state, fd, buf);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return new FileStat(
              buf.get(JAVA_LONG, ST_DEV),
              buf.get(JAVA_LONG, ST_INO),
              buf.get(JAVA_LONG, ST_SIZE),
              buf.get(JAVA_INT, Platform.ARCH.statModeOffset));
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("fstat", errno, file);
        }
      }
    }
  }

  private static FileStat viaStatx(MethodHandle statx, int fd, Path file)
      throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment emptyPath = arena.allocate(1);
      MemorySegment buf = arena.allocate(BUFFER_SIZE, 8);
      while (true) {
        int result;
        try {
          result =
              (int)
                  statx.invokeExact(
                      state, fd, emptyPath, AT_EMPTY_PATH, STATX_TYPE_MODE_INO_SIZE, buf);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          long dev =
              DeviceNumbers.makedev(
                  Integer.toUnsignedLong(buf.get(JAVA_INT, STX_DEV_MAJOR)),
                  Integer.toUnsignedLong(buf.get(JAVA_INT, STX_DEV_MINOR)));
          return new FileStat(
              dev,
              buf.get(JAVA_LONG, STX_INO),
              buf.get(JAVA_LONG, STX_SIZE),
              Short.toUnsignedInt(buf.get(JAVA_SHORT, STX_MODE)));
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("statx", errno, file);
        }
      }
    }
  }
}
