package io.mmapvec;

import static io.mmapvec.LockProbes.procLocks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live readers across processes: one writer child ({@link LiveChild}) appends, rewrites in place,
 * truncates and shrinks under an interval sync policy while three reader children tail the file and
 * check every element they read; the writer is SIGKILLed at random moments and restarted while the
 * readers keep going. After every kill the file, reopened at once, holds a commit at least as new
 * as every commit any reader showed (and of the same size for the newest one): a reader never
 * showed a commit the file does not have. {@code -Dmmapvec.long=true} runs 300 rounds instead of
 * 20; {@code -Dmmapvec.crash.seed=N} replays a seed.
 */
class LiveReadersIT {
  private static final int ROUNDS = CrashWorkload.LONG ? 300 : 20;
  private static final int READERS = 3;

  @TempDir Path dir;

  @BeforeEach
  void nativeBackend() {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
  }

  /** One commit a reader showed, from its "SEEN seq size rewrites" line. */
  private record Seen(long sequence, long size) {}

  @Test
  void readersTailAWriterThatIsKilledAgainAndAgainAndNeverShowACommitTheFileLacks()
      throws Exception {
    long seed = CrashWorkload.baseSeed(0x6C697665L);
    SplittableRandom random = new SplittableRandom(seed);
    Path file = dir.resolve("tail.vec");
    Path stop = dir.resolve("stop");
    LongVec.open(file).close();
    List<ChildJvm> readers = new ArrayList<>();
    int[] consumed = new int[READERS];
    long maxShown = 0;
    long commitsShown = 0;
    try {
      for (int i = 0; i < READERS; i++) {
        readers.add(
            ChildJvm.start(
                dir, "reader" + i, LiveChild.class, "reader", file.toString(), stop.toString()));
      }
      for (ChildJvm r : readers) {
        assertThat(r.awaitLine("READY", "FAIL")).as(r.transcript()).startsWith("READY");
      }
      for (int round = 0; round < ROUNDS; round++) {
        String context = "round " + round + ", seed " + seed;
        try (ChildJvm writer =
            ChildJvm.start(
                dir,
                "writer",
                LiveChild.class,
                "writer",
                file.toString(),
                Long.toString(random.nextLong()))) {
          // Readers never block the writer: it opens while all three are open.
          assertThat(writer.awaitLine("OPEN", "Exception"))
              .as("%s%n%s", context, writer.transcript())
              .startsWith("OPEN");
          Thread.sleep(50 + random.nextInt(600));
          writer.kill();
        }
        // Reopen at once for writing: free of the dead writer's locks, not blocked by readers.
        long sequence;
        long size;
        try (LongVec v = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
          sequence = v.storage.commitSequence();
          size = v.size();
        }
        for (int i = 0; i < READERS; i++) {
          List<String> lines = lines(readers.get(i));
          for (; consumed[i] < lines.size(); consumed[i]++) {
            String line = lines.get(consumed[i]);
            assertThat(line).as("%s, reader %d", context, i).doesNotStartWith("FAIL");
            if (!line.startsWith("SEEN ")) {
              continue;
            }
            String[] f = line.split(" ");
            Seen seen = new Seen(Long.parseLong(f[1]), Long.parseLong(f[2]));
            commitsShown++;
            maxShown = Math.max(maxShown, seen.sequence());
            assertThat(seen.sequence())
                .as(
                    "%s: reader %d showed commit %s; the reopened file has %d",
                    context, i, seen, sequence)
                .isLessThanOrEqualTo(sequence);
            if (seen.sequence() == sequence) {
              assertThat(seen.size())
                  .as("%s, reader %d, commit %d", context, i, sequence)
                  .isEqualTo(size);
            }
          }
        }
      }
      Files.createFile(stop);
      for (ChildJvm r : readers) {
        String done = r.awaitLine("DONE", "FAIL");
        assertThat(done).as(r.transcript()).startsWith("DONE");
        assertThat(r.awaitExit(ChildJvm.TIMEOUT)).as(r.transcript()).isZero();
        assertThat(r.transcript()).doesNotContain("FAIL").doesNotContain("Exception");
        System.out.println("LiveReadersIT " + r + ": " + done);
      }
    } finally {
      readers.forEach(ChildJvm::close);
    }
    assertThat(commitsShown).as("the readers saw commits at all").isGreaterThan(ROUNDS);
    System.out.printf(
        "LiveReadersIT: rounds=%d readers=%d commits shown=%d newest sequence=%d seed=%d%n",
        ROUNDS, READERS, commitsShown, maxShown, seed);
  }

  @Test
  void aKilledReaderLeavesNoLockAndAWriterThenShrinksAtOnce() throws Exception {
    Path file = dir.resolve("killed-reader.vec");
    try (LongVec w = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      for (int i = 0; i < 1_000_000; i++) {
        w.add(i);
      }
      w.sync();
      long big = Files.size(file);
      try (ChildJvm reader =
          ChildJvm.start(dir, "reader", Holder.class, file.toString(), "ro", "native")) {
        assertThat(reader.awaitLine("READY")).isEqualTo("READY 1000000");
        assertThat(procLocks(file)).anyMatch(l -> l.contains("OFDLCK") && l.contains("READ"));
        w.truncate(1);
        w.shrinkToFit();
        assertThat(Files.size(file)).as("deferred while the reader is open").isEqualTo(big);
        reader.kill();
      }
      assertThat(procLocks(file))
          .as("no lock of the killed reader is left")
          .noneMatch(l -> l.contains("READ"));
      w.sync(); // the deferred shrink
      assertThat(Files.size(file)).isLessThan(big);
    }
  }

  private static List<String> lines(ChildJvm child) throws IOException {
    String text = child.transcript();
    int stdoutEnd = text.indexOf("--- stderr of");
    String out = text.substring(text.indexOf('\n') + 1, stdoutEnd);
    int end = out.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(out.substring(0, end).split("\n", -1));
  }
}
