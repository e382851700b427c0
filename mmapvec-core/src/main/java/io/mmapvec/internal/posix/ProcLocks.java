package io.mmapvec.internal.posix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds who holds a lock on a file by reading {@code /proc/locks}, for error messages only: the
 * answer can be stale by the time it is read, and can be missing (another pid namespace shows pid 0
 * or nothing; OFD locks show pid -1 on recent kernels; btrfs subvolumes and overlayfs may report a
 * device number other than {@code st_dev}).
 *
 * <p>A line reads {@code "ID: KIND MODE TYPE PID MAJOR:MINOR:INODE START END"}, for example {@code
 * "2: FLOCK ADVISORY WRITE 4321 fd:01:1234 0 EOF"}, with the device in hex and the inode in
 * decimal. A process waiting for a lock is listed as {@code "2: -> FLOCK ..."}; it does not hold
 * the lock and is skipped.
 */
final class ProcLocks {
  private ProcLocks() {}

  /** Where Linux lists every lock held. */
  static final Path PROC_LOCKS = Path.of("/proc/locks");

  /**
   * {@return the first positive pid holding a lock on (dev, ino) in {@code locks}, or -1, also when
   * the file cannot be read}
   *
   * @param locks a file in the format of {@code /proc/locks}
   * @param dev the device ({@code st_dev})
   * @param ino the inode ({@code st_ino})
   */
  static long holderPid(Path locks, long dev, long ino) {
    try (BufferedReader reader = Files.newBufferedReader(locks, StandardCharsets.US_ASCII)) {
      return holderPid(reader, dev, ino);
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return -1;
    }
  }

  /**
   * {@return the first positive pid holding a lock on (dev, ino) in the lines, or -1}
   *
   * @param lines lines in the format of {@code /proc/locks}
   * @param dev the device ({@code st_dev})
   * @param ino the inode ({@code st_ino})
   * @throws IOException if reading fails
   */
  static long holderPid(BufferedReader lines, long dev, long ino) throws IOException {
    long major = DeviceNumbers.major(dev);
    long minor = DeviceNumbers.minor(dev);
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      long pid = pidIfMatches(line, major, minor, ino);
      if (pid > 0) {
        return pid;
      }
    }
    return -1;
  }

  /**
   * {@return the pid {@code line} gives for a lock held on this file, else -1}
   *
   * @param line one line of {@code /proc/locks}
   * @param major the device's major number
   * @param minor the device's minor number
   * @param ino the inode
   */
  static long pidIfMatches(String line, long major, long minor, long ino) {
    String[] fields = line.trim().split("\\s+");
    // fields[0] is "ID:"; then the kind (FLOCK, POSIX, OFDLCK, LEASE, DELEG), mode, type, pid,
    // device:inode. "->" in place of the kind marks a waiter.
    if (fields.length < 6 || fields[1].equals("->")) {
      return -1;
    }
    String[] id = fields[5].split(":");
    if (id.length != 3) {
      return -1;
    }
    try {
      if (Long.parseUnsignedLong(id[0], 16) != major
          || Long.parseUnsignedLong(id[1], 16) != minor
          || Long.parseUnsignedLong(id[2]) != ino) {
        return -1;
      }
      return Long.parseLong(fields[4]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * {@return every lock held (not waited for) on (dev, ino) in {@code locks}, or null when the file
   * cannot be read}
   *
   * @param locks a file in the format of {@code /proc/locks}
   * @param dev the device ({@code st_dev})
   * @param ino the inode ({@code st_ino})
   */
  static List<HeldLock> held(Path locks, long dev, long ino) {
    long major = DeviceNumbers.major(dev);
    long minor = DeviceNumbers.minor(dev);
    List<HeldLock> found = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(locks, StandardCharsets.US_ASCII)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        HeldLock l = heldIfMatches(line, major, minor, ino);
        if (l != null) {
          found.add(l);
        }
      }
      return found;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return null;
    }
  }

  /**
   * {@return the lock {@code line} lists as held on this file, or null}
   *
   * @param line one line of {@code /proc/locks}
   * @param major the device's major number
   * @param minor the device's minor number
   * @param ino the inode
   */
  static HeldLock heldIfMatches(String line, long major, long minor, long ino) {
    String[] fields = line.trim().split("\\s+");
    if (fields.length < 6 || fields[1].equals("->")) {
      return null;
    }
    String[] id = fields[5].split(":");
    if (id.length != 3) {
      return null;
    }
    try {
      if (Long.parseUnsignedLong(id[0], 16) != major
          || Long.parseUnsignedLong(id[1], 16) != minor
          || Long.parseUnsignedLong(id[2]) != ino) {
        return null;
      }
      return new HeldLock(fields[1], fields[3].equals("WRITE"), Long.parseLong(fields[4]));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
