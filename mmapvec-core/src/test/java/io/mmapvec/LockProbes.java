package io.mmapvec;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks whether a file is locked, the way other programs would: util-linux {@code flock(1)},
 * Python's {@code fcntl.lockf} (a classic POSIX record lock) and a child JVM's {@code
 * FileChannel.tryLock()}. Each probe runs in its own process and takes the lock non-blocking; it
 * releases what it got when it exits.
 */
final class LockProbes {
  private LockProbes() {}

  /** The exit code our probes use for "somebody else holds a conflicting lock". */
  private static final int CONFLICT = 75;

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private static final String LOCKF_SCRIPT =
      String.join(
          "\n",
          "import fcntl, sys",
          "f = open(sys.argv[1], 'r+b')",
          "try:",
          "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
          "except (BlockingIOError, PermissionError):",
          "    sys.exit(" + CONFLICT + ")",
          "sys.exit(0)");

  /** Skips the test when {@code flock(1)} is missing. */
  static void assumeFlock() {
    assumeTrue(onPath("flock"), "util-linux flock(1) is not installed");
  }

  /** Skips the test when {@code python3} is missing. */
  static void assumePython() {
    assumeTrue(onPath("python3"), "python3 is not installed");
  }

  private static boolean onPath(String program) {
    String pathVar = System.getenv("PATH");
    if (pathVar == null) {
      return false;
    }
    for (String dir : pathVar.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@return whether {@code flock -n [-s] FILE true} gets the lock} An exclusive probe conflicts
   * with any flock lock; a shared one only with an exclusive lock.
   */
  static boolean flockFree(Path file, boolean shared, Path workDir)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("flock", "-n", "-E", String.valueOf(CONFLICT)));
    if (shared) {
      cmd.add("-s");
    }
    cmd.add(file.toString());
    cmd.add("true");
    return free(run(workDir, "flock", cmd), "flock(1)");
  }

  /** {@return whether an exclusive {@code flock -n FILE true} gets the lock} */
  static boolean flockFree(Path file, Path workDir) throws IOException, InterruptedException {
    return flockFree(file, false, workDir);
  }

  /** {@return whether python's {@code fcntl.lockf(fd, LOCK_EX | LOCK_NB)} gets the lock} */
  static boolean lockfFree(Path file, Path workDir) throws IOException, InterruptedException {
    return free(
        run(workDir, "lockf", List.of("python3", "-c", LOCKF_SCRIPT, file.toString())),
        "python3 fcntl.lockf");
  }

  /**
   * {@return the first line of a child JVM's {@code FileChannel.tryLock()} probe: FREE, HELD,
   * HELD-IOEXCEPTION ... or ERROR ...}
   */
  static String channelTryLock(Path file, Path workDir) throws IOException, InterruptedException {
    try (ChildJvm probe =
        ChildJvm.start(workDir, "trylock", ChannelLockProbe.class, file.toString())) {
      String line = probe.awaitLine("FREE", "HELD", "ERROR");
      probe.awaitExit(ChildJvm.TIMEOUT);
      return line;
    }
  }

  /** {@return whether the child JVM's {@code FileChannel.tryLock()} got the lock} */
  static boolean channelFree(Path file, Path workDir) throws IOException, InterruptedException {
    String line = channelTryLock(file, workDir);
    if (line.startsWith("ERROR")) {
      return fail("FileChannel.tryLock probe failed unexpectedly: %s", line);
    }
    return line.equals("FREE");
  }

  /**
   * {@return the lines of /proc/locks that describe locks on {@code file} (by device and inode)}
   */
  static List<String> procLocks(Path file) throws IOException {
    long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
    long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    // glibc's major()/minor(); /proc/locks prints them in hex and the inode in decimal.
    long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    String id = String.format("%02x:%02x:%d", major, minor, ino);
    List<String> found = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII)) {
      String[] f = line.trim().split("\\s+");
      for (String field : f) {
        if (field.equals(id) || field.endsWith(":" + ino) && sameDevice(field, major, minor)) {
          found.add(line.trim());
          break;
        }
      }
    }
    return found;
  }

  private static boolean sameDevice(String field, long major, long minor) {
    String[] parts = field.split(":");
    try {
      return parts.length == 3
          && Long.parseLong(parts[0], 16) == major
          && Long.parseLong(parts[1], 16) == minor;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * {@return the positive pids that /proc/locks shows holding locks on {@code file}} (OFD locks
   * show -1 on recent kernels; waiters, marked {@code ->}, are left out.)
   */
  static List<Long> procLockPids(Path file) throws IOException {
    List<Long> pids = new ArrayList<>();
    for (String line : procLocks(file)) {
      String[] f = line.split("\\s+");
      if (f.length >= 5 && !f[1].equals("->")) {
        try {
          long pid = Long.parseLong(f[4]);
          if (pid > 0) {
            pids.add(pid);
          }
        } catch (NumberFormatException ignored) {
          // Not a line we understand.
        }
      }
    }
    return pids;
  }

  private static boolean free(int exitCode, String what) {
    if (exitCode == 0) {
      return true;
    }
    if (exitCode == CONFLICT) {
      return false;
    }
    return fail("%s probe failed with exit code %d (see the probe's output files)", what, exitCode);
  }

  /** Runs a short external program; its output goes to files under {@code workDir}. */
  static int run(Path workDir, String name, List<String> command)
      throws IOException, InterruptedException {
    String unique = name + "-" + COUNTER.incrementAndGet();
    Path out = workDir.resolve(unique + ".out");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      if (!p.waitFor(ChildJvm.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("%s did not finish within %s: %s", command, ChildJvm.TIMEOUT, Files.readString(out));
      }
      int code = p.exitValue();
      if (code != 0 && code != CONFLICT) {
        fail("%s exited with %d: %s", command, code, Files.readString(out));
      }
      return code;
    } finally {
      p.destroyForcibly();
    }
  }

  /** Starts a long-running external lock holder and waits until it prints {@code LOCKED}. */
  static Process startForeignHolder(Path workDir, String name, List<String> command)
      throws IOException, InterruptedException {
    String unique = name + "-" + COUNTER.incrementAndGet();
    Path out = workDir.resolve(unique + ".out");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + ChildJvm.TIMEOUT.toNanos();
    while (!Files.readString(out).contains("LOCKED")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        kill(p);
        fail("%s did not take its lock: %s", command, Files.readString(out));
      }
      Thread.sleep(5);
    }
    return p;
  }

  /**
   * Kills a process and its descendants, and waits until all are gone: the child of an {@code flock
   * -c} command inherits the locked descriptor, so the lock lives as long as any of them.
   */
  static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> descendants = p.descendants().toList();
    descendants.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(ChildJvm.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    for (ProcessHandle h : descendants) {
      try {
        h.onExit().get(ChildJvm.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        fail("process %d did not go away after SIGKILL: %s", h.pid(), e);
      }
    }
  }
}
