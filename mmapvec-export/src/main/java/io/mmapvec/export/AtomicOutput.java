package io.mmapvec.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Output written under a temporary name beside the target and renamed into place only when
 * complete: a failed or interrupted write never leaves a partial file under the target name.
 *
 * <p>Crash story: the temporary file is flushed ({@code fsync}) before the rename, and the
 * directory after it, so after a crash the target is either absent (or its old version) or
 * complete. A crash before the rename can leave a {@code .NAME.tmp-…} file beside the target; it is
 * never read and can be deleted.
 */
final class AtomicOutput {
  private AtomicOutput() {}

  /**
   * {@return a new, unused temporary path beside {@code target}}
   *
   * @param target the final path
   * @param mayReplace whether an existing target may be replaced (export) or not (import)
   * @throws NoSuchFileException if the target's directory does not exist
   * @throws FileAlreadyExistsException if the target exists and may not be replaced, or is a
   *     directory
   */
  static Path temporaryFor(Path target, boolean mayReplace) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          target.toString(), null, "output directory " + dir + " does not exist");
    }
    if (Files.isDirectory(absolute)) {
      throw new FileAlreadyExistsException(target.toString(), null, "is a directory");
    }
    if (!mayReplace && Files.exists(absolute)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists; choose a new name or delete it first");
    }
    long suffix = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    return dir.resolve(
        "." + absolute.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + suffix);
  }

  /**
   * Flushes {@code temporary}, renames it to {@code target} (replacing it when {@code mayReplace})
   * and flushes the directory.
   *
   * @param temporary the complete file
   * @param target the final name
   * @param mayReplace whether an existing target may be replaced
   * @throws IOException if a flush or the rename fails; the temporary file is then still there
   */
  static void commit(Path temporary, Path target, boolean mayReplace) throws IOException {
    try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    if (!mayReplace && Files.exists(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "appeared while importing; the import is in " + temporary);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    Path dir = target.toAbsolutePath().getParent();
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Renames the complete directory {@code temporary} (whose files are already durable, as a group's
   * close leaves them) to {@code target}, which must not exist, and flushes the parent directory.
   * Java has no rename that refuses to replace: the target is checked just before the rename, and a
   * directory that appears between the check and the rename is replaced only if it is empty
   * (rename(2) fails on a non-empty one).
   *
   * @param temporary the complete directory
   * @param target the final name
   * @throws IOException if the target exists, or the rename or flush fails; the temporary directory
   *     is then still there
   */
  static void commitDirectory(Path temporary, Path target) throws IOException {
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "appeared while importing; the import is in " + temporary);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    Path dir = target.toAbsolutePath().getParent();
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Deletes the directory {@code temporary} and everything in it after a failure, adding any
   * failure to delete to {@code cause}.
   *
   * @param temporary the partial directory, which may not exist
   * @param cause the failure being reported
   */
  static void discardTree(Path temporary, Throwable cause) {
    if (!Files.exists(temporary, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(temporary)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Deletes {@code temporary} after a failure, adding any failure to delete it to {@code cause}.
   *
   * @param temporary the partial file, which may not exist
   * @param cause the failure being reported
   */
  static void discard(Path temporary, Throwable cause) {
    try {
      Files.deleteIfExists(temporary);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
