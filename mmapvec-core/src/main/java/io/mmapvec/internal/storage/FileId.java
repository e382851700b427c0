package io.mmapvec.internal.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Identifies a file independently of the name used to reach it: the same {@code (st_dev, st_ino)}
 * pair for a path, a symbolic link to it and a hard link to it.
 *
 * @param dev the device id
 * @param ino the inode number
 */
public record FileId(long dev, long ino) {

  /**
   * {@return the identity of the file {@code path} leads to, following symbolic links}
   *
   * @param path the file
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws IOException if its attributes cannot be read
   */
  public static FileId of(Path path) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino");
      return new FileId(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // Not a Unix file system: the real path is the best identity there is.
      return new FileId(0, path.toRealPath().toString().hashCode());
    }
  }
}
