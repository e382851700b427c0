package io.mmapvec.internal.storage;

import io.mmapvec.internal.posix.Posix;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How mmapvec reaches files on this platform: the native Linux backend (every call through {@code
 * internal.posix}) or the portable {@code FileChannel} fallback. Chosen once per JVM by {@link
 * #current()}; tests may pick one explicitly.
 */
public sealed interface Backend permits NativeBackend, ChannelBackend {

  /**
   * {@return the backend for this JVM: native when {@link Posix#isAvailable()}, else the fallback
   * (after one warning that names the missing flag and what is weaker)}
   */
  static Backend current() {
    return Holder.CURRENT;
  }

  /** {@return the native backend; only when {@link Posix#isAvailable()}} */
  static Backend nativeBackend() {
    return NativeBackend.INSTANCE;
  }

  /** {@return the FileChannel fallback, available everywhere} */
  static Backend channelBackend() {
    return ChannelBackend.INSTANCE;
  }

  /** {@return a short name for messages and stats: "native" or "channel"} */
  String name();

  /** {@return the page size used for allocation and alignment} */
  int pageSize();

  /**
   * {@return whether a mapping may be longer than the file (an address reservation the file grows
   * beneath); if not, every growth remaps}
   */
  boolean reservesAddressSpace();

  /**
   * {@return whether this backend can hold byte-range locks that survive other descriptors' close
   * (open-file-description locks): then a file may have live readers next to its writer; without
   * them, readers exclude the writer as in format v1}
   */
  boolean liveReaders();

  /**
   * Opens an existing file, or with {@code createExclusive} creates a new one (failing if it
   * exists). Takes no lock.
   */
  BackendFile open(Path path, boolean writable, boolean createExclusive) throws IOException;

  /** Moves {@code from} to {@code to}, never replacing an existing {@code to}. */
  void publishNoReplace(Path from, Path to) throws IOException;

  /** Makes the directory's entries durable. */
  void syncDirectory(Path dir) throws IOException;

  /** Removes a file, ignoring failures (used to clean up temporary files). */
  void deleteQuietly(Path path);

  /** Lazily chooses the backend and warns once. */
  final class Holder {
    private Holder() {}

    static final Backend CURRENT = choose();

    private static Backend choose() {
      if (Posix.isAvailable()) {
        return NativeBackend.INSTANCE;
      }
      System.getLogger("io.mmapvec")
          .log(
              System.Logger.Level.WARNING,
              "mmapvec: "
                  + Posix.unavailableReason()
                  + "; using the FileChannel fallback, which is weaker: its POSIX locks are"
                  + " dropped when any descriptor of the file is closed in this JVM, it takes no"
                  + " flock lock, it allocates growth by writing zeros, and it remaps on every"
                  + " growth");
      return ChannelBackend.INSTANCE;
    }
  }
}
