package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.mmapvec.NativeCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Advisory locks: open-file-description locks ({@code fcntl(F_OFD_SETLK)}) on the whole file or on
 * a byte range, the {@code F_OFD_GETLK} query, and {@code flock}. OFD and {@code flock} locks
 * belong to the open file description, so they survive the closing of other descriptors on the same
 * file and vanish with the last close of their own.
 */
final class Locks {
  private Locks() {}

  // The same on x86_64 and aarch64.
  private static final int F_OFD_GETLK = 36; // Linux >= 3.15
  private static final int F_OFD_SETLK = 37; // Linux >= 3.15
  private static final short F_RDLCK = 0;
  private static final short F_WRLCK = 1;
  private static final short F_UNLCK = 2;
  private static final short SEEK_SET = 0;
  private static final int LOCK_SH = 1;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int LOCK_UN = 8;

  // struct flock, the same 32 bytes on x86_64 and aarch64.
  private static final StructLayout FLOCK_LAYOUT =
      MemoryLayout.structLayout(
          JAVA_SHORT.withName("l_type"),
          JAVA_SHORT.withName("l_whence"),
          MemoryLayout.paddingLayout(4),
          JAVA_LONG.withName("l_start"),
          JAVA_LONG.withName("l_len"),
          JAVA_INT.withName("l_pid"),
          MemoryLayout.paddingLayout(4));

  private static final long L_TYPE = 0;
  private static final long L_WHENCE = 2;
  private static final long L_START = 8;
  private static final long L_LEN = 16;
  private static final long L_PID = 24;

  static {
    assert FLOCK_LAYOUT.byteSize() == 32;
    assert FLOCK_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("l_pid")) == L_PID;
  }

  // int fcntl(int fd, int cmd, ... /* struct flock * */);
  private static final MethodHandle FCNTL =
      Libc.downcall(
          "fcntl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
          Libc.CAPTURE_ERRNO,
          Linker.Option.firstVariadicArg(2));

  // int flock(int fd, int operation);
  private static final MethodHandle FLOCK =
      Libc.downcall(
          "flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Libc.CAPTURE_ERRNO);

  /**
   * Tries {@code fcntl(fd, F_OFD_SETLK)} over {@code [start, start+length)} ({@code length} 0: to
   * the end however far the file grows), without waiting. Conflicts with OFD locks of other open
   * file descriptions, even in this process, and with classic {@code fcntl} locks ({@code lockf},
   * {@code FileChannel.lock}) of other processes. Taking a lock over a range this description
   * already locks converts that part (shared to exclusive or back).
   *
   * @param fd the descriptor (writable for an exclusive lock)
   * @param start the first byte
   * @param length how many bytes; 0 for all bytes from {@code start} on
   * @param exclusive a write lock if true, a read lock if false
   * @param file the file, for the message
   * @return true if taken, false if another holder conflicts (EAGAIN or EACCES)
   * @throws NativeCallException on any other failure
   */
  static boolean tryLockOfd(int fd, long start, long length, boolean exclusive, Path file)
      throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment lock = flock(arena, exclusive ? F_WRLCK : F_RDLCK, start, length);
      if (fcntl(state, fd, F_OFD_SETLK, lock) != -1) {
        return true;
      }
      int errno = Libc.errno(state);
      if (errno == Errno.EAGAIN || errno == Errno.EACCES) {
        return false;
      }
      throw Errno.failure("fcntl(F_OFD_SETLK)", errno, file);
    }
  }

  /**
   * Releases this description's OFD lock over {@code [start, start+length)} ({@code F_UNLCK}); its
   * locks elsewhere in the file stay.
   *
   * @param fd the descriptor
   * @param start the first byte
   * @param length how many bytes; 0 for all bytes from {@code start} on
   * @param file the file, for the message
   * @throws NativeCallException if {@code fcntl} fails
   */
  static void unlockOfd(int fd, long start, long length, Path file) throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      if (fcntl(state, fd, F_OFD_SETLK, flock(arena, F_UNLCK, start, length)) == -1) {
        throw Errno.failure("fcntl(F_OFD_SETLK, F_UNLCK)", Libc.errno(state), file);
      }
    }
  }

  /**
   * Asks {@code fcntl(fd, F_OFD_GETLK)} whether a lock over {@code [start, start+length)} could be
   * taken through {@code fd} now, without taking it.
   *
   * @param fd the descriptor
   * @param start the first byte
   * @param length how many bytes; 0 for all bytes from {@code start} on
   * @param exclusive ask about a write lock if true, a read lock if false
   * @param file the file, for the message
   * @return null if nothing conflicts, else one conflicting lock held through another description
   *     or by another process
   * @throws NativeCallException if {@code fcntl} fails
   */
  static LockConflict queryOfd(int fd, long start, long length, boolean exclusive, Path file)
      throws NativeCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment lock = flock(arena, exclusive ? F_WRLCK : F_RDLCK, start, length);
      if (fcntl(state, fd, F_OFD_GETLK, lock) == -1) {
        throw Errno.failure("fcntl(F_OFD_GETLK)", Libc.errno(state), file);
      }
      short type = lock.get(JAVA_SHORT, L_TYPE);
      if (type == F_UNLCK) {
        return null;
      }
      return new LockConflict(
          type == F_WRLCK,
          lock.get(JAVA_LONG, L_START),
          lock.get(JAVA_LONG, L_LEN),
          lock.get(JAVA_INT, L_PID));
    }
  }

  /** {@return a zeroed {@code struct flock} of this type and range, from SEEK_SET, l_pid 0} */
  private static MemorySegment flock(Arena arena, short type, long start, long length) {
    MemorySegment lock = arena.allocate(FLOCK_LAYOUT); // zeroed; l_pid must be 0 for OFD locks
    lock.set(JAVA_SHORT, L_TYPE, type);
    lock.set(JAVA_SHORT, L_WHENCE, SEEK_SET);
    lock.set(JAVA_LONG, L_START, start);
    lock.set(JAVA_LONG, L_LEN, length);
    return lock;
  }

  /**
   * Tries {@code flock(fd, LOCK_EX or LOCK_SH | LOCK_NB)}.
   *
   * @param fd the descriptor
   * @param exclusive {@code LOCK_EX} if true, {@code LOCK_SH} if false
   * @param file the file, for the message
   * @return true if taken, false if another holder conflicts (EWOULDBLOCK)
   * @throws NativeCallException on any other failure
   */
  static boolean tryFlock(int fd, boolean exclusive, Path file) throws NativeCallException {
    int operation = exclusive ? LOCK_EX : LOCK_SH;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      if (flock(state, fd, operation | LOCK_NB) == 0) {
        return true;
      }
      int errno = Libc.errno(state);
      if (errno == Errno.EAGAIN) { // EWOULDBLOCK is EAGAIN on Linux
        return false;
      }
      throw Errno.failure("flock", errno, file);
    }
  }

  /**
   * Releases both locks of this descriptor. Needed before close: between fork and exec a child
   * shares every open file description of the JVM, O_CLOEXEC or not, and a lock lasts until the
   * last reference to its description goes.
   */
  static void unlock(int fd, Path file) throws NativeCallException {
    unlockOfd(fd, 0, 0, file); // the whole file
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      if (flock(state, fd, LOCK_UN) == -1) {
        throw Errno.failure("flock(LOCK_UN)", Libc.errno(state), file);
      }
    }
  }

  /**
   * {@return {@code fcntl(fd, cmd, lock)}, called again while it fails with EINTR} On -1 the errno
   * is in {@code state}.
   */
  private static int fcntl(MemorySegment state, int fd, int cmd, MemorySegment lock) {
    int result;
    do {
      try {
        result = (int) FCNTL.invokeExact(state, fd, cmd, lock);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    } while (result == -1 && Libc.errno(state) == Errno.EINTR);
    return result;
  }

  /**
   * {@return {@code flock(fd, operation)}, called again while it fails with EINTR} On -1 the errno
   * is in {@code state}.
   */
  private static int flock(MemorySegment state, int fd, int operation) {
    int result;
    do {
      try {
        result = (int) FLOCK.invokeExact(state, fd, operation);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    } while (result == -1 && Libc.errno(state) == Errno.EINTR);
    return result;
  }
}
