package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.posix.Posix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live group reader across processes: a child ({@link GroupCrashChild}, mode {@code live})
 * appends rows to four columns with explicit commits at row boundaries, while this JVM keeps one
 * read-only {@link VecGroup} open and refreshes it again and again. At every refresh all columns
 * have the same length (a commit of the group, never a mix of column commits) and the values it
 * checks are right. The child is SIGKILLed at a random moment, and restarted on the same group
 * while the reader stays open: after each kill the reader is still consistent, and a writable open
 * at once finds the group at one commit, at least as new and as long as everything the reader
 * showed and the last commit the child printed. {@code -Dmmapvec.long=true} runs 200 rounds instead
 * of 12; {@code -Dmmapvec.crash.seed=N} replays a seed.
 */
class GroupLiveReadersIT {
  private static final int ROUNDS = CrashWorkload.LONG ? 200 : 12;

  @TempDir Path tmp;

  @Test
  void aReaderFollowsAGroupWriterThatIsKilledAgainAndAgain() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    long base = CrashWorkload.baseSeed(0x67726f75L);
    SplittableRandom random = new SplittableRandom(base);
    Path dir = tmp.resolve("ticks");
    VecGroup.open(dir).close();
    long refreshes = 0;
    long commitsSeen = 0;
    long shownSeq = 0;
    long shownRows = 0;
    try (VecGroup reader = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      for (int round = 0; round < ROUNDS; round++) {
        long seed = random.nextLong();
        String context = "round " + round + ", seed " + seed + " (base " + base + ")";
        long synced = 0;
        try (ChildJvm child =
            ChildJvm.start(
                tmp, "writer" + round, GroupCrashChild.class, dir.toString(), "" + seed, "live")) {
          child.awaitLine("OPENED");
          long until = System.nanoTime() + Duration.ofMillis(50 + random.nextInt(700)).toNanos();
          while (System.nanoTime() - until < 0) {
            long seq = reader.awaitCommit(Duration.ofMillis(20));
            refreshes++;
            assertThat(seq).as(context).isGreaterThanOrEqualTo(shownSeq);
            long rows = check(reader, random, context);
            assertThat(rows).as(context).isGreaterThanOrEqualTo(shownRows);
            if (seq > shownSeq) {
              commitsSeen++;
            }
            shownSeq = seq;
            shownRows = rows;
          }
          child.kill();
          for (String line : child.transcript().split("\n")) {
            if (line.startsWith("SYNCED ")) {
              synced = Long.parseLong(line.substring(7).trim());
            }
          }
        }
        // The writer is dead: the reader shows its last durable commit, still one length.
        long seq = reader.refresh();
        assertThat(seq).as(context).isGreaterThanOrEqualTo(shownSeq);
        long rows = check(reader, random, context);
        assertThat(rows).as(context).isGreaterThanOrEqualTo(Math.max(shownRows, synced));
        shownSeq = seq;
        shownRows = rows;
        // A new writer opens at once and finds the group at one commit, every value right.
        try (VecGroup g = VecGroup.open(dir)) {
          assertThat(g.sequence()).as(context).isGreaterThanOrEqualTo(seq);
          long n = g.longVec("time").size();
          assertThat(n).as(context).isGreaterThanOrEqualTo(rows);
          LongVec a = g.longVec("a");
          LongVec time = g.longVec("time");
          DoubleVec price = g.doubleVec("price");
          IntVec qty = g.intVec("qty");
          assertThat(a.size()).as(context).isEqualTo(n);
          assertThat(price.size()).as(context).isEqualTo(n);
          assertThat(qty.size()).as(context).isEqualTo(n);
          for (long i = 0; i < n; i++) {
            Tick t = GroupCrashChild.tick(i);
            if (a.get(i) != i
                || time.get(i) != t.time()
                || price.get(i) != t.price()
                || qty.get(i) != t.qty()) {
              fail("row %d of %d is wrong after the kill; %s", i, n, context);
            }
          }
        }
      }
    }
    System.out.printf(
        "%nGroupLiveReadersIT: rounds=%d refreshes=%d commitsSeen=%d rows=%d seed=%d%n",
        ROUNDS, refreshes, commitsSeen, shownRows, base);
    assertThat(commitsSeen).as("commits the reader followed while a writer worked").isPositive();
  }

  /**
   * Checks that every column the reader shows has one length and that the first, the last and a
   * random row hold their values.
   *
   * @return that length
   */
  private static long check(VecGroup reader, SplittableRandom random, String context)
      throws Exception {
    if (reader.names().isEmpty()) {
      return 0;
    }
    assertThat(reader.names()).as(context).containsExactly("a", "time", "price", "qty");
    LongVec a = reader.longVec("a");
    LongVec time = reader.longVec("time");
    DoubleVec price = reader.doubleVec("price");
    IntVec qty = reader.intVec("qty");
    long n = a.size();
    assertThat(new long[] {time.size(), price.size(), qty.size()})
        .as("column lengths at one refresh; %s", context)
        .containsOnly(n);
    if (n > 0) {
      for (long i : new long[] {0, n - 1, random.nextLong(n)}) {
        Tick t = GroupCrashChild.tick(i);
        assertThat(a.get(i)).as(context).isEqualTo(i);
        assertThat(time.get(i)).as(context).isEqualTo(t.time());
        assertThat(price.get(i)).as(context).isEqualTo(t.price());
        assertThat(qty.get(i)).as(context).isEqualTo(t.qty());
      }
    }
    return n;
  }
}
