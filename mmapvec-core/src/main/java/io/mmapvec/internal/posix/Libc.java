package io.mmapvec.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The plumbing every family class shares: the one place that looks up libc symbols and makes {@link
 * MemorySegment}s of raw addresses (the two restricted operations), the {@code errno} capture, and
 * C strings for paths.
 *
 * <p>Initialising this class creates the native linker; only do so when {@link Platform#AVAILABLE}.
 */
final class Libc {
  private Libc() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();

  /** Layout of the segment a call with {@link #CAPTURE_ERRNO} writes its {@code errno} into. */
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  /** Makes a downcall save {@code errno} right after the call, before the JVM can clobber it. */
  static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  /** The charset the JDK itself uses to turn path strings into bytes ({@code sun.jnu.encoding}). */
  private static final Charset PATH_CHARSET =
      Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"), StandardCharsets.UTF_8);

  /**
   * {@return a handle on the libc function {@code name}}
   *
   * @param name the symbol
   * @param function its C signature
   * @param options linker options, such as {@link #CAPTURE_ERRNO}
   * @throws UnsatisfiedLinkError if libc has no such symbol
   */
  static MethodHandle downcall(String name, FunctionDescriptor function, Linker.Option... options) {
    return optionalDowncall(name, function, options)
        .orElseThrow(
            () ->
                new UnsatisfiedLinkError(
                    "libc has no function " + name + " (mmapvec needs glibc 2.28 or later)"));
  }

  /**
   * {@return a handle on the libc function {@code name}, or empty if libc lacks it}
   *
   * @param name the symbol
   * @param function its C signature
   * @param options linker options, such as {@link #CAPTURE_ERRNO}
   */
  @SuppressWarnings("restricted") // the one place that binds native functions
  static Optional<MethodHandle> optionalDowncall(
      String name, FunctionDescriptor function, Linker.Option... options) {
    return LIBC.find(name).map(symbol -> LINKER.downcallHandle(symbol, function, options));
  }

  /**
   * {@return the native memory at {@code address} as a segment of {@code byteSize} bytes owned by
   * {@code arena}, running {@code cleanup} when the arena closes}
   *
   * @param address a zero-length segment holding the address, as a downcall returns it
   * @param byteSize how many bytes are really there
   * @param arena the arena that will own the memory
   * @param cleanup what to do when the arena closes (it cannot throw checked exceptions)
   */
  @SuppressWarnings("restricted") // the one place that trusts a raw address and size
  static MemorySegment reinterpret(
      MemorySegment address, long byteSize, Arena arena, Consumer<MemorySegment> cleanup) {
    return address.reinterpret(byteSize, arena, cleanup);
  }

  /**
   * {@return a fresh segment for a {@link #CAPTURE_ERRNO} call to write into}
   *
   * @param arena the arena of the call
   */
  static MemorySegment callState(Arena arena) {
    return arena.allocate(CALL_STATE);
  }

  /**
   * {@return the {@code errno} a {@link #CAPTURE_ERRNO} call saved in {@code state}}
   *
   * @param state the segment passed to the call
   */
  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /**
   * {@return {@code path} as a NUL-terminated C string, encoded the way the JDK encodes it}
   *
   * @param arena the arena of the call
   * @param path a path of the default file system
   * @throws ProviderMismatchException if the path is not of the default file system
   */
  static MemorySegment cString(Arena arena, Path path) {
    if (path.getFileSystem() != FileSystems.getDefault()) {
      throw new ProviderMismatchException("not a path of the default file system: " + path);
    }
    byte[] bytes = path.toString().getBytes(PATH_CHARSET);
    // Paths of the default file system cannot contain NUL, so the string ends where C expects.
    MemorySegment string = arena.allocate(bytes.length + 1L);
    MemorySegment.copy(bytes, 0, string, ValueLayout.JAVA_BYTE, 0, bytes.length);
    string.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
    return string;
  }

  /**
   * Rethrows what {@link MethodHandle#invokeExact} threw. A downcall throws no checked exception;
   * what it can throw ({@link IllegalStateException} for a closed segment, {@link
   * WrongThreadException}) passes through unchanged.
   *
   * @param t what the handle threw
   * @return never returns; declared so callers can write {@code throw Libc.rethrow(t)}
   */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new AssertionError("a downcall threw a checked exception", t);
  }
}
