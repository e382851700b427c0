package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability test 1, the kill -9 loop: a child JVM ({@link CrashChild}) runs a seeded random
 * workload on a new file and reports each sync only after it returned; the parent kills it with
 * SIGKILL at a random moment (sometimes while the JVM starts, sometimes while it creates the file,
 * mostly somewhere in the workload), reopens the file for writing at once (no retry: the lock must
 * be free the moment the process is gone), checks the crash contract against its own replay of the
 * workload, and deletes the file. Every round is a fresh process; two run at a time.
 *
 * <p>{@code -Dmmapvec.long=true} runs 2000 rounds instead of 200; {@code -Dmmapvec.crash.seed=N}
 * replays a base seed (printed in the summary and in every failure).
 */
class KillNineIT {
  private static final int ROUNDS = CrashWorkload.LONG ? 2000 : 200;
  private static final int PARALLEL = 2;
  private static final int MAX_OPS = 1_000_000;
  private static final long CHILD_TIMEOUT_MS = 60_000;

  @TempDir Path dir;

  @Test
  void killedWriterAlwaysReopensWithinTheCrashContract() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    long base = CrashWorkload.baseSeed(0x6B696C6C39L);
    Map<String, AtomicInteger> kills = new TreeMap<>();
    Map<String, AtomicInteger> outcomes = new TreeMap<>();
    AtomicInteger maxSyncs = new AtomicInteger();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<?>> rounds = new ArrayList<>();
      for (int r = 0; r < ROUNDS; r++) {
        int round = r;
        rounds.add(
            pool.submit(
                () -> {
                  round(base, round, kills, outcomes, maxSyncs);
                  return null;
                }));
      }
      for (Future<?> f : rounds) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    System.out.printf(
        "%nKillNineIT: rounds=%d killedAt=%s recovered=%s maxSyncsBeforeKill=%d seed=%d time=%ds%n",
        ROUNDS, kills, outcomes, maxSyncs.get(), base, seconds);
    int total = kills.values().stream().mapToInt(AtomicInteger::get).sum();
    assertThat(total).isEqualTo(ROUNDS);
    assertThat(
            kills.getOrDefault("betweenSyncs", new AtomicInteger()).get()
                + kills.getOrDefault("duringSync", new AtomicInteger()).get())
        .as("rounds killed after at least one sync, out of %s", kills)
        .isPositive();
  }

  private void round(
      long base,
      int round,
      Map<String, AtomicInteger> kills,
      Map<String, AtomicInteger> outcomes,
      AtomicInteger maxSyncs)
      throws Exception {
    long seed = CrashWorkload.mix(base, round);
    SplittableRandom timing = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Path sub = Files.createDirectories(dir.resolve("round-" + round));
    Path file = sub.resolve("v.vec");
    String when;
    long delay;
    try (CrashChild.Run child =
        CrashChild.Run.start(
            sub,
            CrashChild.jvmOptions(),
            file.toString(),
            Long.toString(seed),
            "native",
            CrashWorkload.KILL_NINE.name(),
            Integer.toString(MAX_OPS))) {
      int mode = timing.nextInt(100);
      if (mode < 8) {
        when = "from spawn";
        delay = timing.nextLong(400);
      } else if (mode < 20) {
        when = "from START";
        delay = timing.nextLong(40);
        await(child, "START", seed);
      } else {
        when = "from OPENED";
        delay = timing.nextLong(timing.nextInt(4) == 0 ? 30 : 600);
        await(child, "OPENED", seed);
      }
      Thread.sleep(delay);
      child.kill();
      int status = child.awaitExit(CHILD_TIMEOUT_MS);
      CrashChild.Progress p = CrashChild.Progress.of(child.lines());
      String context =
          String.format(
              "round %d, seed %d (replay the base with -Dmmapvec.crash.seed=%d), killed %d ms %s,"
                  + " exit status %d%n%s",
              round, seed, base, delay, when, status, child.transcript());
      if (status != 137 && !(status == 0 && p.done())) {
        fail("the child did not die of SIGKILL nor finish%n%s", context);
      }
      String at = killPoint(p);
      count(kills, at);
      maxSyncs.accumulateAndGet(p.lastSynced(), Math::max);
      CrashRecovery.Found found =
          CrashRecovery.verify(
              file, p, seed, CrashWorkload.KILL_NINE, MAX_OPS, Backend.nativeBackend(), context);
      count(outcomes, found.exists() ? found.outcome().name().toLowerCase() : "absent");
      if (!found.tmpFiles().isEmpty()) {
        count(outcomes, "leftoverTmp");
        if (p.opened()) {
          fail("a temporary file %s outlived the create%n%s", found.tmpFiles(), context);
        }
      }
    } finally {
      CrashRecovery.deleteTree(sub);
    }
  }

  private static void await(CrashChild.Run child, String prefix, long seed) throws Exception {
    if (!child.awaitLine(prefix, CHILD_TIMEOUT_MS)) {
      fail("the child (seed %d) printed no %s line%n%s", seed, prefix, child.transcript());
    }
  }

  /** {@return where the child was when it died, from what it printed} */
  private static String killPoint(CrashChild.Progress p) {
    if (p.done()) {
      return "afterDone";
    }
    if (!p.started()) {
      return "jvmStart";
    }
    if (!p.opened()) {
      return "create";
    }
    if (p.growing() != 0) {
      return "duringGrowth";
    }
    if (p.syncing() != 0) {
      return p.lastSynced() == 0 ? "duringFirstSync" : "duringSync";
    }
    return p.lastSynced() == 0 ? "beforeFirstSync" : "betweenSyncs";
  }

  private static void count(Map<String, AtomicInteger> m, String key) {
    synchronized (m) {
      m.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }
  }
}
