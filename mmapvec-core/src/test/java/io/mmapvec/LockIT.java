package io.mmapvec;

import static io.mmapvec.LockProbes.assumeFlock;
import static io.mmapvec.LockProbes.assumePython;
import static io.mmapvec.LockProbes.channelTryLock;
import static io.mmapvec.LockProbes.flockFree;
import static io.mmapvec.LockProbes.lockfFree;
import static io.mmapvec.LockProbes.procLockPids;
import static io.mmapvec.LockProbes.procLocks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability test 6, locks (rules 2, 8 and 9), with real processes: child JVMs running {@link
 * Holder}, util-linux {@code flock(1)}, Python's {@code fcntl.lockf} and a child JVM's {@code
 * FileChannel.tryLock()}. Runs on the native backend unless a test says otherwise.
 */
class LockIT {
  private static final VecOptions RW = VecOptions.defaults();
  private static final VecOptions RO = VecOptions.defaults().withReadOnly(true);

  /** The lines {@link Holder} prints after trying to open. */
  private static final String[] OPEN_RESULT = {"READY", "LOCKED", "FORMAT", "ERROR"};

  @TempDir Path dir;

  @BeforeAll
  static void nativeBackendIsAvailable() {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
  }

  // ---- other processes

  @Test
  void writerKeepsOtherWritersOutAndLetsLiveReadersIn() throws Exception {
    Path file = dir.resolve("held.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native", "--values", "3")) {
      List<Long> pids = procLockPids(file);

      VecLockedException e = refused(file, RW);
      assertThat(e.getMessage()).contains(file.toString());
      assertThat(e.file()).isEqualTo(file);
      if (!pids.isEmpty()) {
        // /proc/locks tells who holds the file, so the exception must tell it too.
        assertThat(pids).containsOnly(holder.pid());
        assertThat(e.holderPid()).hasValue(holder.pid());
        assertThat(e.getMessage()).contains(String.valueOf(holder.pid()));
      }

      try (LongVec asReader = openHere(file, RO)) { // a live reader, next to the writer
        assertThat(asReader.toArray()).containsExactly(0, 1, 2);
      }

      ChildJvm writer =
          ChildJvm.start(dir, "writer", Holder.class, file.toString(), "rw", "native");
      ChildJvm reader =
          ChildJvm.start(dir, "reader", Holder.class, file.toString(), "ro", "native");
      try (writer;
          reader) {
        String line = writer.awaitLine(OPEN_RESULT);
        assertThat(line).as(writer.transcript()).startsWith("LOCKED ").contains(file.toString());
        if (!pids.isEmpty()) {
          assertThat(line).startsWith("LOCKED " + holder.pid() + " ");
        }
        assertThat(reader.awaitLine(OPEN_RESULT)).as(reader.transcript()).isEqualTo("READY 3");
      }
      holder.ask("close", "CLOSED");
    }
    try (LongVec v = openHere(file, RO)) {
      assertThat(v.toArray()).containsExactly(0, 1, 2); // the refused opens changed nothing
    }
  }

  @Test
  void writerLockIsTakenBeforeTheHeaderIsRead() throws Exception {
    // Rule 2: while the holder has the file, its commit slots are the holder's business; another
    // writer must be told that the file is locked, not that it is damaged. A live reader reads the
    // identity block (written once, at create) next to the writer, so it sees the damage.
    Path file = dir.resolve("busy.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native")) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {'X'}), 8); // the library signature
      }
      refused(file, RW);
      assertThat(catchThrowable(() -> openHere(file, RO).close()))
          .isInstanceOf(VecFormatException.class)
          .hasMessageContaining("not a mmapvec file");
    }
  }

  @Test
  void procLocksShowsAnOfdLockAndAFlockLockHeldByTheWriter() throws Exception {
    Path file = dir.resolve("proc.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native")) {
      List<String> lines = procLocks(file);
      System.out.println(
          "/proc/locks while a writer (pid " + holder.pid() + ") holds " + file + ":");
      lines.forEach(l -> System.out.println("  " + l));
      // Rule 8: both kinds, exclusive, so that fcntl/lockf users and flock users are all kept out.
      assertThat(lines).anyMatch(l -> l.contains("OFDLCK") && l.contains("WRITE"));
      assertThat(lines).anyMatch(l -> l.contains("FLOCK") && l.contains("WRITE"));
      assertThat(lines).noneMatch(l -> l.contains("POSIX")); // not a classic, process-owned lock
      assertThat(procLockPids(file)).allMatch(pid -> pid == holder.pid());
    }
  }

  @Test
  void lockfFlockAndFileChannelUsersAreRefusedWhileAWriterHoldsTheFileAndSucceedAfterwards()
      throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("foreign.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native", "--values", "1")) {
      assertLockedForEveryone(file);

      holder.ask("close", "CLOSED");
      assertFreeForEveryone(file);

      // A reopened existing file (not a new one) is locked again.
      assertThat(holder.ask("open", OPEN_RESULT)).isEqualTo("READY 1");
      assertLockedForEveryone(file);

      // Exit without close: the kernel drops the locks with the process's descriptors.
      holder.ask("exit", "EXITING");
      holder.awaitExit(ChildJvm.TIMEOUT);
      assertFreeForEveryone(file);
    }
  }

  @Test
  void foreignFlockAndLockfHoldersKeepMmapvecOut() throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("foreign-holder.vec");
    createHere(file, 1);

    // Only a flock lock: mmapvec's OFD lock would succeed, its flock must fail.
    Process flock =
        LockProbes.startForeignHolder(
            dir,
            "flock-holder",
            List.of("flock", "-n", file.toString(), "-c", "echo LOCKED; exec sleep 60"));
    try {
      VecLockedException e = refused(file, RW);
      assertThat(e.getMessage()).contains(file.toString());
      if (!procLockPids(file).isEmpty()) {
        assertThat(e.holderPid()).hasValue(flock.pid());
      }
      openHere(file, RO).close(); // live readers take no flock lock
    } finally {
      LockProbes.kill(flock);
    }
    openHere(file, RW).close();

    // Only a classic POSIX lock: mmapvec's OFD lock must fail.
    Process lockf =
        LockProbes.startForeignHolder(
            dir,
            "lockf-holder",
            List.of(
                "python3",
                "-c",
                "import fcntl, sys, time\n"
                    + "f = open(sys.argv[1], 'r+b')\n"
                    + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                    + "print('LOCKED', flush=True)\n"
                    + "time.sleep(60)\n",
                file.toString()));
    try {
      VecLockedException e = refused(file, RW);
      assertThat(e.getMessage()).contains(file.toString());
      List<Long> pids = procLockPids(file);
      if (!pids.isEmpty()) {
        assertThat(e.holderPid()).isPresent();
        assertThat(pids).contains(e.holderPid().getAsLong());
      }
      refused(file, RO);
    } finally {
      LockProbes.kill(lockf);
    }
    openHere(file, RW).close();
  }

  // ---- this JVM

  @Test
  void sameFileIsRefusedInThisJvmThroughPathSymlinkAndHardLinkAndOpensAgainAfterClose()
      throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("v.vec");
    Path symlink = dir.resolve("symlink.vec");
    Path hardLink = dir.resolve("hardlink.vec");
    try (LongVec v = openHere(file, RW)) {
      v.add(1);
      v.sync();
      Files.createSymbolicLink(symlink, file);
      Files.createLink(hardLink, file);
      List<Path> names =
          List.of(
              file, symlink, hardLink, file.toAbsolutePath(), dir.resolve(".").resolve("v.vec"));
      for (Path name : names) {
        VecLockedException e = refused(name, RW);
        assertThat(e.getMessage()).as("open as %s", name).contains(name.toString());
        assertThat(e.getMessage()).contains("already open for writing in this JVM");
        assertThat(e.file()).isEqualTo(name);
        try (LongVec reader = openHere(name, RO)) { // a live reader in the writer's own JVM
          assertThat(reader.toArray()).containsExactly(1);
        }
      }
      // The first handle is untouched, and the refused opens and the readers (each opened and
      // closed a descriptor of the file) did not drop its locks.
      v.add(2);
      v.sync();
      assertThat(flockFree(file, dir)).isFalse();
      assertThat(lockfFree(file, dir)).isFalse();
    }
    assertThat(flockFree(file, dir)).isTrue();

    try (LongVec v = openHere(hardLink, RW)) {
      assertThat(v.toArray()).containsExactly(1, 2);
      // A reopened existing file is locked again.
      assertThat(flockFree(file, dir)).isFalse();
      assertThat(lockfFree(file, dir)).isFalse();
      openHere(symlink, RO).close();
      assertThat(flockFree(file, dir)).isFalse();
    }
    try (LongVec v = openHere(symlink, RO)) {
      assertThat(v.toArray()).containsExactly(1, 2);
    }
  }

  @Test
  void readOnlyOpensInThisJvmShareTheFileButNotWithTheFallback() throws Exception {
    // Native live readers hold OFD locks, which no other descriptor's close drops: any number may
    // be open in one JVM. The fallback's classic locks would be dropped by their close, so the
    // JVM-wide registry (rule 9) keeps a fallback open alone.
    Path file = dir.resolve("ro-twice.vec");
    createHere(file, 2);
    Path symlink = Files.createSymbolicLink(dir.resolve("ro-symlink.vec"), file);
    Path hardLink = Files.createLink(dir.resolve("ro-hardlink.vec"), file);
    try (LongVec first = openHere(file, RO)) {
      for (Path name : List.of(file, symlink, hardLink)) {
        try (LongVec other = openHere(name, RO)) {
          assertThat(other.toArray()).containsExactly(0, 1);
        }
      }
      // The registry knows the file whatever backend opens it.
      assertThat(catchThrowable(() -> LongVec.open(hardLink, RO, Backend.channelBackend()).close()))
          .isInstanceOf(VecLockedException.class);
      assertThat(first.toArray()).containsExactly(0, 1);
    }
    try (LongVec again = openHere(hardLink, RO)) {
      assertThat(again.size()).isEqualTo(2);
    }
  }

  @Test
  void closingAnotherDescriptorOfTheFileInThisJvmKeepsTheLock() throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("touch-here.vec");
    try (LongVec v = openHere(file, RW)) {
      FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
      new FileInputStream(file.toFile()).close();
      new RandomAccessFile(file.toFile(), "rw").close();
      // A classic fcntl lock (FileChannel.lock) would be gone now; OFD and flock locks are not.
      assertLockedForEveryone(file);
      v.add(5);
    }
  }

  @Test
  void nativeOpenIsRefusedWhileThisJvmHoldsAFileChannelLock() throws Exception {
    Path file = dir.resolve("classic-here.vec");
    createHere(file, 1);
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      // OFD locks conflict with classic locks even of the same process (fcntl(2)).
      VecLockedException e = refused(file, RW);
      assertThat(e.getMessage()).contains(file.toString());
      assertThat(lock.channel()).isSameAs(ch);
    }
  }

  // ---- holder JVM life

  @Test
  void closingAnotherDescriptorOfTheFileInTheHolderJvmKeepsTheLock() throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("touch.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native")) {
      assertThat(holder.ask("touch-channel", "TOUCHED", "ERROR")).isEqualTo("TOUCHED channel");
      assertThat(holder.ask("touch-stream", "TOUCHED", "ERROR")).isEqualTo("TOUCHED stream");
      assertThat(holder.ask("touch-raf", "TOUCHED", "ERROR")).isEqualTo("TOUCHED raf");
      assertLockedForEveryone(file);
      refused(file, RW);
      openHere(file, RO).close();
      assertLockedForEveryone(file);
    }
  }

  @Test
  void lockIsFreeRightAfterTheHolderIsKilled() throws Exception {
    Path file = dir.resolve("killed.vec");
    try (ChildJvm holder = startHolder(file, "rw", "native", "--values", "1000")) {
      holder.kill(); // SIGKILL, then waitFor
      // At once, no retry loop: the kernel released both locks when the process died.
      try (LongVec v = openHere(file, RW)) {
        assertThat(v.size()).isEqualTo(1000);
        assertThat(v.get(999)).isEqualTo(999);
      }
    }
  }

  @Test
  void childProcessOfTheHolderDoesNotInheritTheLock() throws Exception {
    Path file = dir.resolve("spawn.vec");
    Path control = dir.resolve("control.txt");
    Files.writeString(control, "a descriptor without O_CLOEXEC\n");
    long sleepPid = -1;
    try (ChildJvm holder = startHolder(file, "rw", "native", "--control", control.toString())) {
      String child = holder.ask("spawn-sleep", "CHILD", "ERROR");
      assertThat(child).as(holder.transcript()).startsWith("CHILD ");
      sleepPid = Long.parseLong(child.substring("CHILD ".length()));

      Set<Path> inherited = openFilesOf(sleepPid);
      // The control proves that this spawn passes on every descriptor not marked close-on-exec
      // (ProcessBuilder would close them all and prove nothing).
      assertThat(inherited).as("files open in the spawned sleep").contains(control.toRealPath());
      assertThat(inherited).as("files open in the spawned sleep").doesNotContain(file.toRealPath());

      holder.kill(); // the holder only
      long pid = sleepPid;
      assertThat(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive))
          .as("sleep %d outlives the holder", pid)
          .hasValue(true);
      try (LongVec v = openHere(file, RW)) {
        assertThat(v.size()).isZero();
      }
    } finally {
      if (sleepPid > 0) {
        ProcessHandle.of(sleepPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  // ---- readers

  @Test
  void liveReadersShareTheFileLetOneWriterInAndKeepWholeFileLocksOut() throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("shared.vec");
    createHere(file, 5);
    ChildJvm r1 = ChildJvm.start(dir, "reader1", Holder.class, file.toString(), "ro", "native");
    ChildJvm r2 = ChildJvm.start(dir, "reader2", Holder.class, file.toString(), "ro", "native");
    try (r1;
        r2) {
      assertThat(r1.awaitLine(OPEN_RESULT)).as(r1.transcript()).isEqualTo("READY 5");
      assertThat(r2.awaitLine(OPEN_RESULT)).as(r2.transcript()).isEqualTo("READY 5");
      try (LongVec mine = openHere(file, RO)) {
        assertThat(mine.toArray()).containsExactly(0, 1, 2, 3, 4);
        List<String> lines = procLocks(file);
        System.out.println("/proc/locks while three readers hold " + file + ":");
        lines.forEach(l -> System.out.println("  " + l));
        // Each reader: one shared OFD lock on the reader byte, 16385 (docs/FORMAT.md), no flock.
        assertThat(lines)
            .filteredOn(l -> l.contains("OFDLCK") && l.contains("READ"))
            .hasSize(3)
            .allMatch(l -> l.endsWith(" 16385 16385"));
        assertThat(lines).noneMatch(l -> l.contains("FLOCK"));
        assertThat(lines).noneMatch(l -> l.contains("WRITE"));

        assertThat(flockFree(file, false, dir)).as("exclusive flock(1)").isTrue();
        assertThat(lockfFree(file, dir)).as("exclusive whole-file lockf").isFalse();
      }
      // Readers never block the writer, and the writer refuses a second writer.
      try (ChildJvm writer =
          ChildJvm.start(dir, "writer", Holder.class, file.toString(), "rw", "native")) {
        assertThat(writer.awaitLine(OPEN_RESULT)).as(writer.transcript()).isEqualTo("READY 5");
        VecLockedException e = refused(file, RW);
        assertThat(e.getMessage()).contains(file.toString());
        assertThat(flockFree(file, false, dir)).as("exclusive flock(1), writer open").isFalse();
        assertThat(channelTryLock(file, dir)).as("FileChannel.tryLock").startsWith("HELD");
        // A reader's close (in another process) leaves the writer's locks alone.
        r1.ask("close", "CLOSED");
        refused(file, RW);
        assertThat(flockFree(file, false, dir)).isFalse();
        assertThat(lockfFree(file, dir)).isFalse();
      }
      r2.ask("close", "CLOSED");
      assertThat(lockfFree(file, dir)).as("lockf after everyone closed").isTrue();
      try (LongVec w = openHere(file, RW)) {
        w.add(5);
      }
    }
  }

  // ---- racing creators

  @Test
  void ofTwoRacingCreatorsOneWinsAndTheOtherIsRefused() throws Exception {
    race("native", 10);
  }

  @Test
  void ofTwoRacingCreatorsOneWinsAndTheOtherIsRefusedWithTheChannelBackend() throws Exception {
    race("channel", 5); // publishes with link + unlink instead of renameat2
  }

  /**
   * Two child JVMs, started together, wait for a shared "go" file, then both open the same
   * not-yet-existing path for writing: exactly one creates it and holds it, the other is refused,
   * no temporary file is left, and the file is the winner's (it holds the winner's pid).
   */
  private void race(String backend, int rounds) throws Exception {
    ChildJvm a = ChildJvm.start(dir, "racerA", Holder.class, "-", "rw", backend);
    ChildJvm b = ChildJvm.start(dir, "racerB", Holder.class, "-", "rw", backend);
    int winsOfA = 0;
    try (a;
        b) {
      a.awaitLine("PID");
      b.awaitLine("PID");
      for (int round = 0; round < rounds; round++) {
        Path roundDir = Files.createDirectory(dir.resolve("round-" + round));
        Path file = roundDir.resolve("v.vec");
        Path go = dir.resolve("go-" + round);
        a.send("race " + file + " " + go);
        b.send("race " + file + " " + go);
        a.awaitLine("WAITING");
        b.awaitLine("WAITING");
        Files.createFile(go);
        String ra = a.awaitLine(OPEN_RESULT);
        String rb = b.awaitLine(OPEN_RESULT);
        String context = "round " + round + ": A said \"" + ra + "\", B said \"" + rb + "\"";

        assertThat(List.of(ra, rb)).as(context).filteredOn(l -> l.equals("READY 1")).hasSize(1);
        ChildJvm winner = ra.equals("READY 1") ? a : b;
        String loserLine = winner == a ? rb : ra;
        assertThat(loserLine).as(context).startsWith("LOCKED ").contains(file.toString());
        if (!procLockPids(file).isEmpty()) {
          assertThat(loserLine).as(context).startsWith("LOCKED " + winner.pid() + " ");
        }
        winsOfA += winner == a ? 1 : 0;

        winner.ask("close", "CLOSED");
        try (Stream<Path> s = Files.list(roundDir)) {
          assertThat(s.map(p -> p.getFileName().toString()))
              .as("%s: no temporary file is left behind", context)
              .containsExactly("v.vec");
        }
        try (LongVec v = openHere(file, RO)) {
          assertThat(v.toArray()).as(context).containsExactly(winner.pid());
        }
      }
    }
    System.out.println(
        "racing creators (" + backend + "): A won " + winsOfA + " of " + rounds + " rounds");
  }

  // ---- fallback

  /**
   * The FileChannel fallback keeps other processes out with a classic POSIX lock, which mmapvec's
   * native opens, {@code lockf} and {@code FileChannel.tryLock} users all see. What is weaker (and
   * is said in the warning the fallback logs): it takes no flock lock, so programs that use {@code
   * flock(2)} are not kept out; and the lock belongs to the process, so it is dropped when any
   * descriptor of the file is closed anywhere in the holder JVM (next test).
   */
  @Test
  void channelBackendRefusesASecondProcessButTakesNoFlockLock() throws Exception {
    assumeFlock();
    assumePython();
    Path file = dir.resolve("channel.vec");
    try (ChildJvm holder = startHolder(file, "rw", "channel", "--values", "2")) {
      List<String> lines = procLocks(file);
      System.out.println("/proc/locks while a channel-backend writer holds " + file + ":");
      lines.forEach(l -> System.out.println("  " + l));

      VecLockedException e = refused(file, RW);
      assertThat(e.getMessage()).contains(file.toString());
      try (ChildJvm second =
          ChildJvm.start(dir, "second", Holder.class, file.toString(), "rw", "channel")) {
        assertThat(second.awaitLine(OPEN_RESULT)).as(second.transcript()).startsWith("LOCKED ");
      }
      assertThat(lockfFree(file, dir)).as("lockf").isFalse();
      assertThat(channelTryLock(file, dir)).as("FileChannel.tryLock").startsWith("HELD");
      // The documented weakness: flock(1) gets its lock while the fallback holds the file.
      assertThat(flockFree(file, dir)).as("flock(1) next to the fallback").isTrue();
    }
  }

  /** The second weakness of the fallback: the reason the native backend uses OFD locks. */
  @Test
  void channelBackendLosesItsLockWhenTheHolderJvmClosesAnotherDescriptor() throws Exception {
    assumePython();
    Path file = dir.resolve("channel-touch.vec");
    try (ChildJvm holder = startHolder(file, "rw", "channel")) {
      assertThat(lockfFree(file, dir)).isFalse();
      assertThat(holder.ask("touch-stream", "TOUCHED", "ERROR")).isEqualTo("TOUCHED stream");
      assertThat(lockfFree(file, dir))
          .as("lockf after the holder closed another descriptor")
          .isTrue();
    }
  }

  /**
   * A lock held by this JVM through {@link FileChannel#lock()} must surface as {@link
   * VecLockedException} from the fallback as well, as {@code LongVec.open} documents; {@code
   * FileChannel.tryLock} throws {@link java.nio.channels.OverlappingFileLockException} in that
   * case.
   */
  @Test
  void channelBackendReportsALockHeldByThisJvmAsVecLockedException() throws Exception {
    Path file = dir.resolve("classic-channel.vec");
    createHere(file, 1);
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      Throwable t = null;
      try (LongVec v = LongVec.open(file, RW, Backend.channelBackend())) {
        fail("opened %s although this JVM holds a FileChannel lock on it", v);
      } catch (Throwable thrown) {
        t = thrown;
      }
      assertThat(t).isInstanceOf(VecLockedException.class).hasMessageContaining(file.toString());
      assertThat(lock.channel()).isSameAs(ch);
    }
  }

  /**
   * The fallback's lock belongs to the process and dies with the close of any descriptor of the
   * file. The registry (rule 9) refuses a second open in this JVM, but only after that open has
   * opened a descriptor of its own, which it then closes: the refusal itself must not cost the
   * first open its lock.
   */
  @Test
  void channelBackendKeepsItsLockWhenASecondOpenInThisJvmIsRefused() throws Exception {
    assumePython();
    Path file = dir.resolve("channel-twice.vec");
    try (LongVec first = LongVec.open(file, RW, Backend.channelBackend())) {
      first.add(1);
      assertThat(lockfFree(file, dir)).as("lockf while the fallback holds the file").isFalse();
      assertThat(catchThrowable(() -> LongVec.open(file, RW, Backend.channelBackend()).close()))
          .isInstanceOf(VecLockedException.class);
      assertThat(lockfFree(file, dir))
          .as("lockf after a refused second open of the file in the holder's JVM")
          .isFalse();
    }
  }

  // ---- helpers

  private static LongVec openHere(Path file, VecOptions options) throws IOException {
    return LongVec.open(file, options, Backend.nativeBackend());
  }

  private static void createHere(Path file, int values) throws IOException {
    try (LongVec v = openHere(file, RW)) {
      for (int i = 0; i < values; i++) {
        v.add(i);
      }
    }
  }

  /** Opens {@code file} in this JVM, expecting a refusal; other exceptions fail the test. */
  private static VecLockedException refused(Path file, VecOptions options) throws IOException {
    try {
      LongVec v = openHere(file, options);
      v.close();
      return fail("opened %s (%s) although it should be locked", file, options);
    } catch (VecLockedException e) {
      return e;
    }
  }

  /** Starts a {@link Holder} on {@code file} and waits until it has the vector open. */
  private ChildJvm startHolder(Path file, String mode, String backend, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(file.toString(), mode, backend));
    args.addAll(List.of(options));
    ChildJvm holder = ChildJvm.start(dir, "holder", Holder.class, args.toArray(String[]::new));
    try {
      String line = holder.awaitLine(OPEN_RESULT);
      assertThat(line).as(holder.transcript()).startsWith("READY");
      return holder;
    } catch (Throwable t) {
      holder.close();
      throw t;
    }
  }

  private void assertLockedForEveryone(Path file) throws IOException, InterruptedException {
    assertProbes(file, false);
  }

  private void assertFreeForEveryone(Path file) throws IOException, InterruptedException {
    assertProbes(file, true);
  }

  /**
   * Asks flock(1), lockf and a child JVM's FileChannel.tryLock whether {@code file} is free. The
   * JVM starts first and waits, so that its start overlaps the other probes, but it probes only
   * after them: two probes of the same lock kind must not meet (lockf and tryLock would conflict).
   */
  private void assertProbes(Path file, boolean free) throws IOException, InterruptedException {
    try (ChildJvm channel =
        ChildJvm.start(dir, "trylock", ChannelLockProbe.class, file.toString(), "--wait")) {
      assertThat(flockFree(file, dir)).as("flock(1) gets the lock of %s", file).isEqualTo(free);
      assertThat(lockfFree(file, dir)).as("lockf gets the lock of %s", file).isEqualTo(free);
      channel.awaitLine("WAITING");
      String line = channel.ask("go", "FREE", "HELD", "ERROR");
      if (free) {
        assertThat(line).as("FileChannel.tryLock on %s", file).isEqualTo("FREE");
      } else {
        assertThat(line).as("FileChannel.tryLock on %s", file).startsWith("HELD");
      }
      channel.awaitExit(ChildJvm.TIMEOUT);
    }
  }

  /** {@return the files a process has open, from /proc/PID/fd} */
  private static Set<Path> openFilesOf(long pid) throws IOException {
    Set<Path> files = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          files.add(Files.readSymbolicLink(fd));
        } catch (IOException ignored) {
          // Closed meanwhile.
        }
      }
    }
    return files;
  }
}
