package io.mmapvec.internal.posix;

import io.mmapvec.NativeCallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The single entry point to the operating system: every libc call mmapvec makes goes through this
 * package, as FFM downcalls resolved once. Only usable when {@link #isAvailable()}.
 *
 * <p>Every method that fails throws {@link NativeCallException} naming the call, the errno and the
 * file, except where stated (file-not-found and already-exists map to the {@code java.nio.file}
 * exceptions).
 *
 * <p><b>Availability:</b> when {@link #isAvailable()} is false, no native function is ever bound
 * (the handles live in classes this one only touches once available), and every method that needs
 * one throws {@link UnsupportedOperationException} with {@link #unavailableReason()}. {@link
 * #isAvailable()}, {@link #unavailableReason()} and {@link #lockHolderPid} work everywhere.
 *
 * <p><b>Threads:</b> every method may be called from any thread. Calls interrupted by a signal
 * ({@code EINTR}) are retried, except {@code close}, after which Linux has always released the
 * descriptor.
 *
 * <p><b>Memory:</b> a segment from {@link #mmap} belongs to the caller's arena and is unmapped when
 * that arena closes; a call given a segment whose arena is closed throws {@link
 * IllegalStateException}. Heap segments are accepted by {@link #pread} and {@link #pwrite} and
 * copied through a native buffer.
 */
public final class Posix {
  private Posix() {}

  private static void requireAvailable() {
    if (!Platform.AVAILABLE) {
      throw new UnsupportedOperationException(
          "native file calls are unavailable: " + Platform.UNAVAILABLE_REASON);
    }
  }

  /**
   * {@return whether this backend works here: Linux on x86_64 or aarch64, native access enabled}
   */
  public static boolean isAvailable() {
    return Platform.AVAILABLE;
  }

  /** {@return why {@link #isAvailable()} is false (names the missing flag), or null} */
  public static String unavailableReason() {
    return Platform.UNAVAILABLE_REASON;
  }

  /** {@return the runtime page size ({@code sysconf(_SC_PAGESIZE)})} */
  public static int pageSize() {
    requireAvailable();
    return Mman.PAGE_SIZE;
  }

  /**
   * Opens a file with {@code O_CLOEXEC} always added.
   *
   * @param path the file
   * @param writable O_RDWR if true, else O_RDONLY
   * @param createExclusive add O_CREAT|O_EXCL (mode 0644 less umask)
   * @return the file descriptor
   * @throws java.nio.file.NoSuchFileException on ENOENT
   * @throws java.nio.file.FileAlreadyExistsException on EEXIST
   * @throws java.nio.file.AccessDeniedException on EACCES or EPERM
   * @throws NativeCallException on any other error
   * @throws IOException as above
   */
  public static int open(Path path, boolean writable, boolean createExclusive) throws IOException {
    requireAvailable();
    return Fd.open(path, writable, createExclusive, false);
  }

  /**
   * Closes a descriptor (releases its OFD and flock locks when it is the last reference). Not
   * retried on EINTR: the descriptor is gone either way.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if {@code close} fails (EBADF, EIO)
   */
  public static void close(int fd, Path file) throws NativeCallException {
    requireAvailable();
    Fd.close(fd, file);
  }

  /**
   * {@return fstat of the descriptor}
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if {@code fstat} fails
   */
  public static FileStat fstat(int fd, Path file) throws NativeCallException {
    requireAvailable();
    return Stat.fstat(fd, file);
  }

  /**
   * Tries to take an open-file-description lock ({@code F_OFD_SETLK}) on the whole file.
   *
   * <p>It conflicts with OFD locks taken through any other open file description (another {@code
   * open} of the file, even in this process) and with classic {@code fcntl} locks of other
   * processes; it is released only by the last close of this description.
   *
   * @param fd the descriptor (open for writing for an exclusive lock)
   * @param exclusive write lock if true, read lock if false
   * @param file the file, for the message
   * @return false if another holder conflicts (EAGAIN or EACCES), true when taken
   * @throws NativeCallException on any other error
   */
  public static boolean tryLockOfd(int fd, boolean exclusive, Path file)
      throws NativeCallException {
    requireAvailable();
    return Locks.tryLockOfd(fd, 0, 0, exclusive, file);
  }

  /**
   * Tries to take an open-file-description lock ({@code F_OFD_SETLK}) on the byte range {@code
   * [start, start+length)}, without waiting. The bytes need not exist: a range past the end of the
   * file is a plain lock name. Conflicts as {@link #tryLockOfd(int, boolean, Path)} does, but only
   * with locks that overlap the range; a range this description already holds is converted.
   *
   * @param fd the descriptor (open for writing for an exclusive lock)
   * @param start the first byte
   * @param length how many bytes (0: from {@code start} to the end, however far the file grows)
   * @param exclusive write lock if true, read lock if false
   * @param file the file, for the message
   * @return false if another holder conflicts (EAGAIN or EACCES), true when taken
   * @throws NativeCallException on any other error
   */
  public static boolean tryLockRange(int fd, long start, long length, boolean exclusive, Path file)
      throws NativeCallException {
    requireAvailable();
    return Locks.tryLockOfd(fd, start, length, exclusive, file);
  }

  /**
   * Releases this descriptor's open-file-description lock on {@code [start, start+length)}; its
   * other locks (other ranges, {@code flock}) stay.
   *
   * @param fd the descriptor
   * @param start the first byte
   * @param length how many bytes (0: to the end)
   * @param file the file, for the message
   * @throws NativeCallException if {@code fcntl} fails
   */
  public static void unlockRange(int fd, long start, long length, Path file)
      throws NativeCallException {
    requireAvailable();
    Locks.unlockOfd(fd, start, length, file);
  }

  /**
   * Asks ({@code F_OFD_GETLK}) whether an open-file-description lock on {@code [start,
   * start+length)} could be taken through {@code fd} now, without taking it. The answer may be
   * stale at once; it is for deciding what to do next, never a lock.
   *
   * @param fd the descriptor
   * @param start the first byte
   * @param length how many bytes (0: to the end)
   * @param exclusive ask about a write lock if true, a read lock if false
   * @param file the file, for the message
   * @return null if nothing conflicts, else a lock held through another open file description or by
   *     another process that overlaps the range
   * @throws NativeCallException if {@code fcntl} fails
   */
  public static LockConflict queryLockRange(
      int fd, long start, long length, boolean exclusive, Path file) throws NativeCallException {
    requireAvailable();
    return Locks.queryOfd(fd, start, length, exclusive, file);
  }

  /**
   * Tries to take a {@code flock} lock, non-blocking.
   *
   * @param fd the descriptor
   * @param exclusive LOCK_EX if true, LOCK_SH if false
   * @param file the file, for the message
   * @return false if another holder conflicts (EWOULDBLOCK), true when taken
   * @throws NativeCallException on any other error
   */
  public static boolean tryFlock(int fd, boolean exclusive, Path file) throws NativeCallException {
    requireAvailable();
    return Locks.tryFlock(fd, exclusive, file);
  }

  /**
   * Releases this descriptor's OFD lock and {@code flock} lock. Call it before {@link #close}: a
   * child process being forked at that moment shares the open file description until it execs, and
   * would otherwise keep the locks alive for that while.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if either unlock fails
   */
  public static void unlock(int fd, Path file) throws NativeCallException {
    requireAvailable();
    Locks.unlock(fd, file);
  }

  /**
   * {@return the pid of a process holding a lock on the file with this device and inode, read from
   * /proc/locks, or -1 when none can be found} Never throws.
   *
   * <p>For messages only: the answer may be stale at once. OFD locks are listed with pid -1 on
   * recent kernels, so a holder that has only an OFD lock is not found; a holder in another pid
   * namespace shows as 0 or not at all.
   *
   * @param dev the device ({@link FileStat#dev()})
   * @param ino the inode ({@link FileStat#ino()})
   */
  public static long lockHolderPid(long dev, long ino) {
    // Reads a file only: works without native access.
    return Platform.LINUX ? ProcLocks.holderPid(ProcLocks.PROC_LOCKS, dev, ino) : -1;
  }

  /**
   * {@return every lock the kernel lists as held on the file with this device and inode, read from
   * /proc/locks; null when that cannot be known (not Linux, or the list is unreadable)} Never
   * throws; takes no lock and never waits.
   *
   * <p>For reports only: the answer may be stale at once. Pids are as {@link #lockHolderPid} says.
   *
   * @param dev the device ({@link FileStat#dev()})
   * @param ino the inode ({@link FileStat#ino()})
   */
  public static java.util.List<HeldLock> locksHeld(long dev, long ino) {
    // Reads a file only: works without native access.
    return Platform.LINUX ? ProcLocks.held(ProcLocks.PROC_LOCKS, dev, ino) : null;
  }

  /**
   * Allocates blocks for {@code [offset, offset+length)} with {@code fallocate(fd, 0, ...)},
   * growing the file size if needed. EOPNOTSUPP is reported as a NativeCallException like any other
   * error; the caller decides the fallback.
   *
   * @param fd the descriptor, open for writing
   * @param offset the first byte to allocate
   * @param length how many bytes
   * @param file the file, for the message
   * @throws NativeCallException if {@code fallocate} fails (ENOSPC, EOPNOTSUPP, ...)
   */
  public static void fallocate(int fd, long offset, long length, Path file)
      throws NativeCallException {
    requireAvailable();
    Fd.fallocate(fd, offset, length, file);
  }

  /**
   * Sets the file size ({@code ftruncate}).
   *
   * @param fd the descriptor, open for writing
   * @param size the new size in bytes
   * @param file the file, for the message
   * @throws NativeCallException if {@code ftruncate} fails
   */
  public static void ftruncate(int fd, long size, Path file) throws NativeCallException {
    requireAvailable();
    Fd.ftruncate(fd, size, file);
  }

  /**
   * Reads from {@code offset} into {@code dst} until it is full or end of file ({@code pread},
   * retried on EINTR and short reads).
   *
   * @param fd the descriptor
   * @param dst where to read into (native or heap, not read-only)
   * @param offset the file offset
   * @param file the file, for the message
   * @return the number of bytes read
   * @throws NativeCallException if {@code pread} fails
   */
  public static long pread(int fd, MemorySegment dst, long offset, Path file)
      throws NativeCallException {
    requireAvailable();
    return Fd.pread(fd, dst, offset, file);
  }

  /**
   * Writes all of {@code src} at {@code offset} ({@code pwrite}, retried on EINTR and short
   * writes).
   *
   * @param fd the descriptor, open for writing
   * @param src what to write (native or heap)
   * @param offset the file offset
   * @param file the file, for the message
   * @throws NativeCallException if {@code pwrite} fails
   */
  public static void pwrite(int fd, MemorySegment src, long offset, Path file)
      throws NativeCallException {
    requireAvailable();
    Fd.pwrite(fd, src, offset, file);
  }

  /**
   * Maps {@code length} bytes of the file from offset 0, {@code MAP_SHARED}; the length may exceed
   * the file size (a reservation: pages past end of file must never be touched). The returned
   * segment belongs to {@code arena}; closing the arena unmaps it.
   *
   * @param fd the descriptor (open for writing for a writable mapping)
   * @param length how many bytes to map
   * @param writable PROT_READ|PROT_WRITE if true, PROT_READ if false
   * @param arena the arena that owns the mapping
   * @param file the file, for the message
   * @return the mapping, starting on a page boundary; a {@linkplain MemorySegment#isReadOnly()
   *     read-only} segment unless {@code writable}, so a stray store throws instead of crashing
   * @throws NativeCallException if {@code mmap} fails; on ENOMEM the message says to check {@code
   *     ulimit -v} and {@code vm.max_map_count}
   */
  public static MemorySegment mmap(int fd, long length, boolean writable, Arena arena, Path file)
      throws NativeCallException {
    requireAvailable();
    return Mman.mmap(fd, length, writable, arena, file);
  }

  /**
   * {@code msync(MS_SYNC)} over {@code [offset, offset+length)} of a segment returned by {@link
   * #mmap}; the start is rounded down to a page boundary.
   *
   * @param mapping a segment returned by {@link #mmap}
   * @param offset the first byte to sync, relative to the segment
   * @param length how many bytes
   * @param file the file, for the message
   * @throws NativeCallException if {@code msync} fails: the data may be lost, do not retry
   * @throws IndexOutOfBoundsException if the range is not inside the segment
   * @throws IllegalStateException if the segment's arena is closed
   */
  public static void msync(MemorySegment mapping, long offset, long length, Path file)
      throws NativeCallException {
    requireAvailable();
    Mman.msync(mapping, offset, length, file);
  }

  /**
   * {@code fdatasync}, retried on EINTR.
   *
   * @param fd the descriptor
   * @param file the file, for the message
   * @throws NativeCallException if {@code fdatasync} fails: the data may be lost, do not retry
   */
  public static void fdatasync(int fd, Path file) throws NativeCallException {
    requireAvailable();
    Fd.fdatasync(fd, file);
  }

  /**
   * Opens the directory read-only and {@code fsync}s it, so a rename or create in it is durable.
   *
   * @param dir the directory
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IOException a {@link NativeCallException} if {@code open} (ENOTDIR, ...), {@code fsync}
   *     or {@code close} fails
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    requireAvailable();
    int fd = Fd.open(dir, false, false, true);
    try {
      Fd.fsync(fd, dir);
    } catch (NativeCallException | RuntimeException | Error e) {
      try {
        Fd.close(fd, dir);
      } catch (NativeCallException | RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
    Fd.close(fd, dir);
  }

  /**
   * Moves {@code from} to {@code to} without ever replacing an existing {@code to}: {@code
   * renameat2(RENAME_NOREPLACE)}, or {@code link} + {@code unlink} where the file system does not
   * support it (EINVAL, ENOSYS, EOPNOTSUPP) or libc lacks {@code renameat2}. Should the {@code
   * unlink} of that fallback fail, both names remain and its error is thrown.
   *
   * @param from the existing name
   * @param to the new name
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists
   * @throws IOException {@code NoSuchFileException} or {@code AccessDeniedException} on ENOENT,
   *     EACCES or EPERM, else a {@link NativeCallException}
   */
  public static void renameNoReplace(Path from, Path to) throws IOException {
    requireAvailable();
    Names.renameNoReplace(from, to);
  }

  /**
   * Removes a name ({@code unlink}).
   *
   * @param path the name
   * @throws IOException {@code NoSuchFileException} or {@code AccessDeniedException} on ENOENT,
   *     EACCES or EPERM, else a {@link NativeCallException}
   */
  public static void unlink(Path path) throws IOException {
    requireAvailable();
    Names.unlink(path);
  }
}
