package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.posix.Posix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 loop for column groups: a child ({@link GroupCrashChild}) appends rows to several
 * columns with an interval (or every-writes) sync policy plus explicit commits, printing each
 * committed row count after its commit returned; the parent kills it with SIGKILL at a random
 * moment, reopens the group for writing at once (the locks must be free), and checks that every
 * column is at one committed length, at least the last printed one, with every value right.
 *
 * <p>40 rounds; {@code -Dmmapvec.long=true} runs 400. {@code -Dmmapvec.crash.seed=N} replays.
 */
class GroupKillNineIT {
  private static final boolean LONG = Boolean.getBoolean("mmapvec.long");
  private static final int ROUNDS = LONG ? 400 : 40;
  private static final long BASE = Long.getLong("mmapvec.crash.seed", System.nanoTime());

  @TempDir Path tmp;

  @Test
  void aKilledGroupWriterLeavesEveryColumnAtOneCommit() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Map<String, Integer> outcomes = new TreeMap<>();
    long maxRows = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long seed = BASE + round;
      SplittableRandom r = new SplittableRandom(seed);
      String mode = round % 2 == 0 ? "columnar" : "group";
      Path sub = Files.createDirectories(tmp.resolve("r" + round));
      Path dir = sub.resolve("ticks");
      try (ChildJvm child =
          ChildJvm.start(sub, "group", GroupCrashChild.class, dir.toString(), "" + seed, mode)) {
        if (r.nextInt(10) == 0) {
          Thread.sleep(r.nextInt(300));
        } else {
          child.awaitLine("OPENED");
          Thread.sleep(r.nextInt(r.nextInt(4) == 0 ? 30 : 800));
        }
        child.kill();
        String transcript = child.transcript();
        assertThat(child.process().exitValue())
            .as("the child died of SIGKILL, not of an error%n%s", transcript)
            .isEqualTo(137);
        long synced = 0;
        for (String line : transcript.split("\n")) {
          if (line.startsWith("SYNCED ")) {
            synced = Long.parseLong(line.substring(7).trim());
          }
        }
        String context =
            "round "
                + round
                + ", mode "
                + mode
                + ", seed "
                + seed
                + " (base "
                + BASE
                + ")\n"
                + transcript;
        if (!Files.exists(dir)) {
          assertThat(synced).as(context).isZero();
          outcomes.merge(mode + "Absent", 1, Integer::sum);
          continue;
        }
        long rows = check(dir, mode, context);
        assertThat(rows)
            .as("rows after the crash, last printed %d; %s", synced, context)
            .isGreaterThanOrEqualTo(synced);
        maxRows = Math.max(maxRows, rows);
        outcomes.merge(
            mode + (rows == synced ? "AtLastPrinted" : "BeyondLastPrinted"), 1, Integer::sum);
      } finally {
        CrashRecovery.deleteTree(sub);
      }
    }
    System.out.printf(
        "%nGroupKillNineIT: rounds=%d outcomes=%s maxRows=%d seed=%d%n",
        ROUNDS, outcomes, maxRows, BASE);
    assertThat(outcomes.getOrDefault("columnarBeyondLastPrinted", 0))
        .as("rounds where a background commit outran the last explicit one")
        .isPositive();
  }

  /** Reopens at once, checks one length across columns and every value; returns the rows. */
  private static long check(Path dir, String mode, String context) throws Exception {
    if (mode.equals("columnar")) {
      try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) { // checks equal lengths
        for (long i = 0; i < v.size(); i++) {
          if (!v.get(i).equals(GroupCrashChild.tick(i))) {
            fail("row %d is %s%n%s", i, v.get(i), context);
          }
        }
        return v.size();
      }
    }
    try (VecGroup g = VecGroup.open(dir)) {
      if (g.names().isEmpty()) {
        return 0;
      }
      assertThat(g.names()).as(context).containsExactly("time", "price", "qty");
      LongVec time = g.longVec("time");
      DoubleVec price = g.doubleVec("price");
      IntVec qty = g.intVec("qty");
      long n = Math.min(time.size(), Math.min(price.size(), qty.size()));
      // everyWrites commits inside a write to one column: the columns of one commit may differ
      // by the row being written, never more.
      assertThat(Math.max(time.size(), Math.max(price.size(), qty.size())) - n)
          .as(context)
          .isLessThanOrEqualTo(1);
      for (long i = 0; i < time.size(); i++) {
        assertThat(time.get(i)).as(context).isEqualTo(GroupCrashChild.tick(i).time());
      }
      for (long i = 0; i < price.size(); i++) {
        assertThat(price.get(i)).as(context).isEqualTo(GroupCrashChild.tick(i).price());
      }
      for (long i = 0; i < qty.size(); i++) {
        assertThat(qty.get(i)).as(context).isEqualTo(GroupCrashChild.tick(i).qty());
      }
      return n;
    }
  }
}
