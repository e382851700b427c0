package io.mmapvec.internal.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Rule 14: on network and user-space file systems, advisory locks and mmap coherence are not what
 * this library assumes; say so loudly, once per open.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class FileSystemWarning {
  private FileSystemWarning() {}

  /** Logs a warning if {@code path} lies on a risky file system; never throws. */
  static void warnIfRisky(Path path) {
    String type;
    try {
      type = Files.getFileStore(path).type();
    } catch (IOException | RuntimeException e) {
      return;
    }
    String risk = riskOfFileSystem(type);
    if (risk != null) {
      System.getLogger("io.mmapvec")
          .log(System.Logger.Level.WARNING, "mmapvec: " + path + " is on " + type + ": " + risk);
    }
  }

  /**
   * {@return why a file system type is risky for mmapvec, or null if it is not}
   *
   * @param type a type as {@code FileStore.type()} names it ("ext4", "nfs4", "fuse.sshfs", ...)
   */
  static String riskOfFileSystem(String type) {
    String t = type.toLowerCase(Locale.ROOT);
    if (t.startsWith("nfs")) {
      return "NFS does not keep mmap writes coherent between machines, and its locks are emulated"
          + " by a lock daemon that may lose them; use a local file system";
    }
    if (t.equals("cifs") || t.startsWith("smb")) {
      return "SMB/CIFS does not keep mmap writes coherent between machines and may ignore"
          + " advisory locks; use a local file system";
    }
    if (t.startsWith("fuse")) {
      return "FUSE file systems may not implement locks, fallocate or msync as the kernel's own"
          + " file systems do; durability and locking are not guaranteed";
    }
    return null;
  }
}
