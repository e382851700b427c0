package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/** Directory entries: {@code renameat2(RENAME_NOREPLACE)}, {@code link}, {@code unlink}. */
final class Names {
  private Names() {}

  private static final int AT_FDCWD = -100;
  private static final int RENAME_NOREPLACE = 1;

  // int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
  //               unsigned int flags);  a glibc function only since 2.28
  private static final Optional<MethodHandle> RENAMEAT2 =
      Libc.optionalDowncall(
          "renameat2",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT),
          Libc.CAPTURE_ERRNO);
  // int link(const char *oldpath, const char *newpath);
  private static final MethodHandle LINK =
      Libc.downcall("link", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), Libc.CAPTURE_ERRNO);
  // int unlink(const char *pathname);
  private static final MethodHandle UNLINK =
      Libc.downcall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS), Libc.CAPTURE_ERRNO);

  /**
   * Moves {@code from} to {@code to}, never replacing {@code to}: {@code renameat2} with {@code
   * RENAME_NOREPLACE}, or where that is missing or the file system refuses the flag (EINVAL,
   * ENOSYS, EOPNOTSUPP), {@code link} then {@code unlink}. In the fallback, if the {@code unlink}
   * fails, both names remain and the {@code unlink} error is thrown.
   *
   * @param from the existing name
   * @param to the new name, which must not exist
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists
   * @throws IOException a {@code java.nio.file} exception for ENOENT, EACCES and EPERM, else a
   *     {@link io.mmapvec.NativeCallException}
   */
  static void renameNoReplace(Path from, Path to) throws IOException {
    if (RENAMEAT2.isPresent() && renameat2(RENAMEAT2.get(), from, to)) {
      return;
    }
    linkThenUnlink(from, to);
  }

  /**
   * The fallback of {@link #renameNoReplace}: {@code link} then {@code unlink}.
   *
   * @param from the existing name
   * @param to the new name, which must not exist
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists
   * @throws IOException as {@link #renameNoReplace}
   */
  static void linkThenUnlink(Path from, Path to) throws IOException {
    link(from, to);
    unlink(from);
  }

  /** Returns true if moved, false if renameat2 cannot do it here and link+unlink should. */
  private static boolean renameat2(MethodHandle renameat2, Path from, Path to) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment oldName = Libc.cString(arena, from);
      MemorySegment newName = Libc.cString(arena, to);
      while (true) {
        int result;
        try {
          result =
              (int)
                  renameat2.invokeExact(
                      state, AT_FDCWD, oldName, AT_FDCWD, newName, RENAME_NOREPLACE);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return true;
        }
        int errno = Libc.errno(state);
        switch (errno) {
          case Errno.EINTR -> {}
          case Errno.EINVAL, Errno.ENOSYS, Errno.EOPNOTSUPP -> {
            return false;
          }
          case Errno.EEXIST -> throw Errno.pathFailure("renameat2", errno, to, from);
          default -> throw Errno.pathFailure("renameat2", errno, from, to);
        }
      }
    }
  }

  /**
   * {@code link(from, to)}: a second name for a file.
   *
   * @param from the existing name
   * @param to the new name, which must not exist
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists
   * @throws IOException a {@code java.nio.file} exception for ENOENT, EACCES and EPERM, else a
   *     {@link io.mmapvec.NativeCallException}
   */
  static void link(Path from, Path to) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment oldName = Libc.cString(arena, from);
      MemorySegment newName = Libc.cString(arena, to);
      while (true) {
        int result;
        try {
          result = (int) LINK.invokeExact(state, oldName, newName);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno == Errno.EEXIST) {
          throw Errno.pathFailure("link", errno, to, from);
        }
        if (errno != Errno.EINTR) {
          throw Errno.pathFailure("link", errno, from, to);
        }
      }
    }
  }

  /**
   * {@code unlink(path)}.
   *
   * @param path the name to remove
   * @throws IOException a {@code java.nio.file} exception for ENOENT, EACCES and EPERM, else a
   *     {@link io.mmapvec.NativeCallException}
   */
  static void unlink(Path path) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Libc.callState(arena);
      MemorySegment name = Libc.cString(arena, path);
      while (true) {
        int result;
        try {
          result = (int) UNLINK.invokeExact(state, name);
        } catch (Throwable t) {
          throw Libc.rethrow(t);
        }
        if (result == 0) {
          return;
        }
        int errno = Libc.errno(state);
        if (errno != Errno.EINTR) {
          throw Errno.pathFailure("unlink", errno, path, null);
        }
      }
    }
  }
}
