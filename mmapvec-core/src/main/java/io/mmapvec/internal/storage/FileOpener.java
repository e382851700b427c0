package io.mmapvec.internal.storage;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opens a vector file, or creates it atomically (rule 11): registers it in this JVM, locks it and
 * reads its header, so that a {@link Storage} starts from a file that is locked and valid.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class FileOpener {
  private static final int CREATE_ATTEMPTS = 8;

  private FileOpener() {}

  /**
   * An open, registered and locked file with its validated header.
   *
   * @param locked the file and its registered identity
   * @param header the header as read
   * @param fileBytes the file's size when the header was read
   */
  record OpenedFile(LockedFile locked, Header header, long fileBytes) {
    /** Closes the file and removes its registration, for paths that are already failing. */
    void releaseQuietly() {
      locked.releaseQuietly();
    }
  }

  /**
   * Opens the file at {@code path}, creating it if it is absent and {@code writable}.
   *
   * @throws io.mmapvec.VecFormatException if the file is not of {@code identity}, or damaged
   * @throws VecLockedException if another process, or this JVM, holds the file
   * @throws NoSuchFileException if a read-only open finds no file, or the directory is missing
   * @throws IOException on any other failure; nothing is left locked or half-created
   */
  static OpenedFile openOrCreate(Path path, Identity identity, Backend backend, boolean writable)
      throws IOException {
    for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      LockedFile locked;
      try {
        locked = LockedFile.open(path, backend, writable);
      } catch (NoSuchFileException e) {
        if (!writable) {
          throw e;
        }
        OpenedFile created = create(path, identity, backend);
        if (created != null) {
          FileSystemWarning.warnIfRisky(path);
          return created;
        }
        continue; // another creator won the race: open its file
      }
      try {
        long fileBytes = locked.file().size();
        Header header = HeaderReader.decode(locked.file(), fileBytes, path, identity);
        FileSystemWarning.warnIfRisky(path);
        return new OpenedFile(locked, header, fileBytes);
      } catch (Throwable t) {
        locked.releaseQuietly();
        throw t;
      }
    }
    throw new IOException("file keeps appearing and disappearing while opening (" + path + ")");
  }

  /**
   * Rule 11: builds the new file under a temporary name in the same directory, makes it durable,
   * then publishes it without replacing anything. Returns null if another creator won the race.
   */
  private static OpenedFile create(Path path, Identity identity, Backend backend)
      throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(path.toString(), null, "directory does not exist");
    }
    if (Files.isSymbolicLink(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          "symbolic link to a missing file; create the vector at the link's target instead");
    }
    Path tmp = dir.resolve(temporaryName(path.getFileName().toString()));
    BackendFile f;
    try {
      f = backend.open(tmp, true, true);
    } catch (IOException e) {
      throw namingRequested(e, path, tmp);
    }
    CrashHooks.reach(CrashPoint.CREATE_AFTER_TMP_OPEN, path);
    FileId fid = null;
    boolean published = false;
    boolean done = false;
    try {
      fid = f.id();
      OpenFiles.register(fid, path, OpenFiles.Role.of(backend, true));
      if (!f.tryLock(true)) {
        throw new VecLockedException("a new temporary file is locked by someone else", tmp, -1);
      }
      int page = backend.pageSize();
      long fileBytes = GrowthPolicy.newFileBytes(page);
      try {
        f.allocate(0, fileBytes);
        CrashHooks.reach(CrashPoint.CREATE_AFTER_ALLOCATE, path);
        try (Arena a = Arena.ofConfined()) {
          MemorySegment header = a.allocate(HeaderFormat.HEADER_READ_BYTES);
          HeaderFormat.encodeNew(header, identity, page, System.currentTimeMillis());
          f.write(header, 0);
        }
        CrashHooks.reach(CrashPoint.CREATE_AFTER_HEADER, path);
        f.syncFile();
      } catch (IOException e) {
        throw namingRequested(e, path, tmp);
      }
      CrashHooks.durable(tmp, 0, Long.MAX_VALUE);
      CrashHooks.reach(CrashPoint.CREATE_AFTER_SYNC, path);
      try {
        backend.publishNoReplace(tmp, path);
      } catch (FileAlreadyExistsException raced) {
        return null;
      }
      published = true;
      f.renamedTo(path);
      CrashHooks.reach(CrashPoint.CREATE_AFTER_PUBLISH, path);
      backend.syncDirectory(dir);
      CrashHooks.reach(CrashPoint.CREATE_AFTER_DIR_SYNC, path);
      Header header = HeaderReader.decode(f, f.size(), path, identity);
      OpenedFile opened =
          new OpenedFile(
              new LockedFile(f, fid, OpenFiles.Role.of(backend, true)), header, fileBytes);
      done = true;
      return opened;
    } finally {
      if (!done) {
        LockedFile.closeQuietly(f);
        if (fid != null) {
          OpenFiles.unregister(fid, OpenFiles.Role.of(backend, true));
        }
        if (!published) {
          backend.deleteQuietly(tmp);
        }
      }
    }
  }

  /**
   * {@return the temporary name a create builds {@code name} under: {@code .NAME.<16 hex>.tmp},
   * with NAME shortened (at a character boundary) so the whole stays within the 255 bytes a file
   * name may have}
   */
  static String temporaryName(String name) {
    String suffix = "." + String.format("%016x", ThreadLocalRandom.current().nextLong()) + ".tmp";
    int room = 255 - 1 - suffix.length();
    String stem = name;
    while (stem.getBytes(StandardCharsets.UTF_8).length > room) {
      int codePoints = stem.codePointCount(0, stem.length());
      stem = stem.substring(0, stem.offsetByCodePoints(0, codePoints - 1));
    }
    return "." + stem + suffix;
  }

  /**
   * A failure while building the temporary file, reported against the path the caller asked for
   * (the temporary name is a detail), keeping the exception's type where it says something.
   */
  static IOException namingRequested(IOException e, Path path, Path tmp) {
    String why =
        e instanceof FileSystemException fse && fse.getReason() != null
            ? fse.getReason()
            : e.getMessage();
    String reason = why + " (while creating it as " + tmp.getFileName() + ")";
    IOException out =
        switch (e) {
          case AccessDeniedException x -> new AccessDeniedException(path.toString(), null, reason);
          case NoSuchFileException x -> new NoSuchFileException(path.toString(), null, reason);
          case FileSystemException x -> new FileSystemException(path.toString(), null, reason);
          default -> new IOException("cannot create: " + reason + " (" + path + ")");
        };
    out.initCause(e);
    return out;
  }
}
