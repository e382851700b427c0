package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.mmapvec.NativeCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Memory mappings: {@code mmap}, {@code munmap}, {@code msync}, and the page size. */
final class Mman {
  private Mman() {}

  // The same on x86_64 and aarch64.
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;
  private static final int MAP_PRIVATE = 2;
  private static final int MAP_FIXED = 0x10;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_NORESERVE = 0x4000;

  /**
   * How long a retired range stays reserved before it is unmapped: far longer than any thread takes
   * from the close handshake to its next safepoint poll (JDK-8364167, below).
   */
  private static final long RETIRE_GRACE_MILLIS = 5_000;

  private static final ScheduledExecutorService UNMAPPER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mmapvec-unmapper");
            t.setDaemon(true);
            return t;
          });
  private static final int MS_SYNC = 4;
  private static final int SC_PAGESIZE = 30; // _SC_PAGESIZE in glibc's <bits/confname.h>
  private static final long MAP_FAILED = -1L;

  private static final System.Logger LOG = System.getLogger("io.mmapvec");

  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
  private static final MethodHandle MMAP =
      Libc.downcall(
          "mmap",
          FunctionDescriptor.of(
              ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
          Libc.CAPTURE_ERRNO);
  // int munmap(void *addr, size_t length);
  private static final MethodHandle MUNMAP =
      Libc.downcall(
          "munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), Libc.CAPTURE_ERRNO);
  // int msync(void *addr, size_t length, int flags);
  private static final MethodHandle MSYNC =
      Libc.downcall(
          "msync",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
          Libc.CAPTURE_ERRNO);
  // long sysconf(int name);
  private static final MethodHandle SYSCONF =
      Libc.downcall("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

  /** The runtime page size. */
  static final int PAGE_SIZE = pageSize();

  private static int pageSize() {
    long size;
    try {
      size = (long) SYSCONF.invokeExact(SC_PAGESIZE);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    if (size <= 0 || Long.bitCount(size) != 1 || size > Integer.MAX_VALUE) {
      throw new IllegalStateException("sysconf(_SC_PAGESIZE) returned " + size);
    }
    return (int) size;
  }

  /**
   * {@code mmap(NULL, length, prot, MAP_SHARED, fd, 0)}, unmapped when {@code arena} closes.
   *
   * @param fd the descriptor (writable for a writable mapping)
   * @param length how many bytes to map; may exceed the file size (never touch those pages)
   * @param writable {@code PROT_READ | PROT_WRITE} if true, {@code PROT_READ} if false
   * @param arena the arena that owns the mapping
   * @param file the file, for the message
   * @return the mapping, page-aligned; {@linkplain MemorySegment#isReadOnly() read-only} unless
   *     {@code writable}
   * @throws NativeCallException if {@code mmap} fails; for ENOMEM the message says what to check
   */
  static MemorySegment mmap(int fd, long length, boolean writable, Arena arena, Path file)
      throws NativeCallException {
    Objects.requireNonNull(arena, "arena");
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    if (length <= 0) {
      throw new IllegalArgumentException("mapping length must be positive: " + length);
    }
    MemorySegment address;
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(call);
      try {
        address =
            (MemorySegment)
                MMAP.invokeExact(state, MemorySegment.NULL, length, prot, MAP_SHARED, fd, 0L);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (address.address() == MAP_FAILED) {
        int errno = Libc.errno(state);
        String hint =
            errno == Errno.ENOMEM
                ? "could not map "
                    + length
                    + " bytes: check the address-space limit (ulimit -v) and the number of"
                    + " mappings allowed (sysctl vm.max_map_count)"
                : null;
        throw Errno.failure("mmap", errno, file, hint);
      }
    }
    long base = address.address();
    try {
      MemorySegment mapping =
          Libc.reinterpret(address, length, arena, unused -> retire(base, length, file));
      // A store into a PROT_READ page would crash the JVM with SIGSEGV; a read-only segment
      // refuses it with an exception instead.
      return writable ? mapping : mapping.asReadOnly();
    } catch (RuntimeException | Error e) {
      // The arena was closed or is owned by another thread: nothing will ever unmap this.
      munmapQuietly(base, length, file);
      throw e;
    }
  }

  /**
   * The arena cleanup of a mapping: replaces the file mapping, in one step, by an anonymous
   * placeholder of the same range, and unmaps the placeholder {@link #RETIRE_GRACE_MILLIS} later.
   *
   * <p>Why not {@code munmap} at once: closing a shared arena stops every thread that is inside an
   * access of it, but JDK-8364167 (seen on JDK 25.0.3) lets such a thread make one more access
   * after the handshake. Into an unmapped range that access is a SIGSEGV that kills the JVM; into
   * the placeholder it reads zeros or writes private memory that nobody sees, and the thread then
   * gets its {@link IllegalStateException}. The placeholder also keeps the range from being reused
   * by another mapping during that window. It costs address space for a few seconds, no memory
   * ({@code MAP_NORESERVE}, never touched but by such a straggler).
   */
  private static void retire(long address, long length, Path file) {
    MemorySegment placeholder;
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(call);
      try {
        placeholder =
            (MemorySegment)
                MMAP.invokeExact(
                    state,
                    MemorySegment.ofAddress(address),
                    length,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1,
                    0L);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    }
    if (placeholder.address() != address) {
      munmapQuietly(address, length, file); // no placeholder: unmap now, as before
      return;
    }
    UNMAPPER.schedule(
        () -> munmapQuietly(address, length, file), RETIRE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * {@code munmap} as an arena cleanup, which cannot throw: a failure (only possible with a wrong
   * address or length, i.e. a bug here) is logged and otherwise ignored.
   */
  private static void munmapQuietly(long address, long length, Path file) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(call);
      int result;
      try {
        result = (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (result != 0) {
        int errno = Libc.errno(state);
        LOG.log(
            System.Logger.Level.WARNING,
            "munmap failed: {0} ({1}) ({2}); the mapping stays until the process exits",
            Errno.name(errno),
            Errno.description(errno),
            file);
      }
    }
  }

  /**
   * {@code msync(MS_SYNC)} over {@code [offset, offset + length)} of {@code mapping}, the start
   * rounded down to a page boundary.
   *
   * @param mapping a segment from {@link #mmap}
   * @param offset the first byte to sync, relative to the segment
   * @param length how many bytes to sync
   * @param file the file, for the message
   * @throws NativeCallException if it fails; do not retry, the data may be lost
   * @throws IndexOutOfBoundsException if the range is not inside the segment
   * @throws IllegalStateException if the segment's arena is closed
   */
  static void msync(MemorySegment mapping, long offset, long length, Path file)
      throws NativeCallException {
    Objects.checkFromIndexSize(offset, length, mapping.byteSize());
    long start = mapping.address() + offset;
    long misalignment = start & (PAGE_SIZE - 1);
    long syncLength = length + misalignment;
    // Pass a slice of the mapping itself where possible: the linker then keeps its arena from
    // closing (and unmapping it) during the call, and throws if it is already closed.
    MemorySegment range;
    if (misalignment <= offset) {
      range = mapping.asSlice(offset - misalignment, syncLength);
    } else {
      // The segment does not start on a page boundary (not one mmap returned): the page start
      // lies before it, so only a raw address can name it.
      if (!mapping.scope().isAlive()) {
        throw new IllegalStateException("Already closed");
      }
      range = MemorySegment.ofAddress(start - misalignment);
    }
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(call);
      while (true) {
        int result;
        try {
          result = (int) MSYNC.invokeExact(state, range, syncLength, MS_SYNC);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.failure("msync", errno, file);
        }
      }
    }
  }
}
