package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durability test 2, crash points: for every step of create, sync, growth and shrink that {@code
 * Storage} marks with {@code CrashHooks.reach}, a child JVM ({@link CrashChild}) runs a seeded
 * workload and halts there (exit status 77, no shutdown hooks: as close to a crash as Java gets),
 * then the parent reopens the file and checks the crash contract and what a process crash at that
 * step must leave (old or new length, no file or an empty one, temporary files).
 *
 * <p>Each point runs with {@code -Dmmapvec.test.crashAt=POINT} (the first time it is reached) on
 * the native backend; the points that recur also halt at a later occurrence through a {@link
 * CrashHooks.Listener}; the sync, growth and shrink points run once more on the channel backend. A
 * child that exits without reaching its point fails the test. The children run two at a time,
 * before the tests that report on them.
 */
class CrashPointsIT {
  /**
   * Every point this test knows how to reach and judge; {@link #everyCrashPointIsCovered} keeps it
   * honest.
   */
  static final List<String> POINTS =
      List.of(
          "create.afterTmpOpen",
          "create.afterAllocate",
          "create.afterHeader",
          "create.afterSync",
          "create.afterPublish",
          "create.afterDirSync",
          "sync.begin",
          "sync.afterData",
          "sync.afterFdatasync",
          "sync.afterSlotWrite",
          "sync.afterSlotSync",
          "grow.beforeAllocate",
          "grow.afterAllocate",
          "grow.afterRemap",
          "shrink.afterCommit",
          "shrink.afterRemap",
          "shrink.afterTruncate",
          "shrink.afterSync");

  private static final Set<String> BEFORE_PUBLISH =
      Set.of(
          "create.afterTmpOpen", "create.afterAllocate", "create.afterHeader", "create.afterSync");
  private static final int MAX_OPS = 3000;
  private static final int PARALLEL = 2;
  private static final long CHILD_TIMEOUT_MS = 120_000;
  private static final long BASE = CrashWorkload.baseSeed(0x706F696E7473L);

  /**
   * One child run.
   *
   * @param point where it halts
   * @param backend "native" or "channel"
   * @param occurrence halt the n-th time the point is reached (through a listener), or 0 for the
   *     first time through {@code -Dmmapvec.test.crashAt}
   * @param seed the workload's seed
   */
  record Case(String point, String backend, int occurrence, long seed) {
    /**
     * {@return how many operations the child's workload has} Enough for the later occurrences of
     * the rarer points too: the long mode asks for up to the 31st, and a workload of {@code
     * MAX_OPS} operations shrinks the file fewer times than that for some seeds.
     */
    int maxOps() {
      return MAX_OPS * Math.max(1, occurrence / 4);
    }

    String profile() {
      // On the native backend only a mapping past its 1 GiB address reservation moves.
      return point.equals("grow.afterRemap") && backend.equals("native")
          ? CrashWorkload.POINTS.withHugeReserveAt(40).name()
          : CrashWorkload.POINTS.name();
    }

    @Override
    public String toString() {
      return point
          + " on "
          + backend
          + (occurrence == 0 ? " (crashAt property)" : " (occurrence " + occurrence + ")")
          + " seed "
          + seed;
    }
  }

  @TempDir static Path dir;

  private static final Map<Case, Throwable> FAILURES = new ConcurrentHashMap<>();
  private static final Set<Case> PASSED = ConcurrentHashMap.newKeySet();
  private static final Map<String, Integer> OUTCOMES = new TreeMap<>();
  private static List<Case> cases;

  static List<Case> cases() {
    if (cases != null) {
      return cases;
    }
    List<Case> c = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(BASE);
    int laterRuns = CrashWorkload.LONG ? 5 : 1;
    for (String p : POINTS) {
      c.add(new Case(p, "native", 0, rnd.nextLong()));
      boolean recurs = !p.startsWith("create.") && !p.equals("grow.afterRemap");
      for (int i = 0; recurs && i < laterRuns; i++) {
        c.add(new Case(p, "native", 2 + rnd.nextInt(CrashWorkload.LONG ? 30 : 8), rnd.nextLong()));
      }
      if (!p.startsWith("create.")) {
        c.add(new Case(p, "channel", 0, rnd.nextLong()));
      }
    }
    cases = List.copyOf(c);
    return cases;
  }

  @BeforeAll
  static void runEveryChild() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<?>> runs = new ArrayList<>();
      int n = 0;
      for (Case c : cases()) {
        Path sub = Files.createDirectories(dir.resolve("case-" + n++));
        runs.add(
            pool.submit(
                () -> {
                  try {
                    run(c, sub);
                    PASSED.add(c);
                  } catch (Throwable t) {
                    FAILURES.put(c, t);
                  } finally {
                    CrashRecovery.deleteTree(sub);
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @AfterAll
  static void summary() {
    if (cases == null) {
      return;
    }
    System.out.printf(
        "%n" + "CrashPointsIT: points=%d runs=%d failed=%d recovered=%s seed=%d%n",
        POINTS.size(), cases.size(), FAILURES.size(), OUTCOMES, BASE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void crashAtPointReopensWithinTheContract(Case c) throws Throwable {
    Throwable t = FAILURES.get(c);
    if (t != null) {
      throw t;
    }
    assertThat(PASSED).as("cases that ran and passed").contains(c);
  }

  /**
   * A point added to {@link CrashPoint} without a case here would go untested, and one the main
   * sources never reach would be a case that proves nothing: refuse both.
   */
  @Test
  void everyCrashPointIsCovered() throws IOException {
    Path src = Path.of("src/main/java");
    if (!Files.isDirectory(src)) {
      src = Path.of("mmapvec-core/src/main/java");
    }
    assumeTrue(
        Files.isDirectory(src), "main sources not found from " + Path.of("").toAbsolutePath());
    Set<String> inSource = new TreeSet<>();
    Pattern reach = Pattern.compile("CrashHooks\\.reach\\(\\s*CrashPoint\\.([A-Z_]+)");
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = reach.matcher(Files.readString(f));
        while (m.find()) {
          inSource.add(m.group(1));
        }
      }
    }
    Set<String> names = new TreeSet<>();
    Set<String> keys = new TreeSet<>();
    for (CrashPoint p : CrashPoint.values()) {
      names.add(p.name());
      keys.add(p.key());
    }
    assertThat(inSource).as("crash points reached in the main sources").isEqualTo(names);
    assertThat(new TreeSet<>(POINTS)).as("crash points with a case here").isEqualTo(keys);
  }

  // ---------------------------------------------------------------------------------------------

  private static void run(Case c, Path sub) throws Exception {
    Path file = sub.resolve("v.vec");
    List<String> jvm =
        c.occurrence() == 0
            ? CrashChild.jvmOptions("-Dmmapvec.test.crashAt=" + c.point())
            : CrashChild.jvmOptions();
    List<String> args =
        new ArrayList<>(
            List.of(
                file.toString(),
                Long.toString(c.seed()),
                c.backend(),
                c.profile(),
                Integer.toString(c.maxOps())));
    if (c.occurrence() > 0) {
      args.add(c.point());
      args.add(Integer.toString(c.occurrence()));
    }
    try (CrashChild.Run child = CrashChild.Run.start(sub, jvm, args.toArray(String[]::new))) {
      int status = child.awaitExit(CHILD_TIMEOUT_MS);
      CrashChild.Progress p = CrashChild.Progress.of(child.lines());
      String context =
          String.format(
              "case %s, exit status %d (replay the base with -Dmmapvec.crash.seed=%d)%n%s",
              c, status, BASE, child.transcript());
      if (status != CrashHooks.HALT_STATUS) {
        fail(
            "the child never halted at %s (exit status %d, expected %d)%n%s",
            c.point(), status, CrashHooks.HALT_STATUS, context);
      }
      Backend backend =
          c.backend().equals("native") ? Backend.nativeBackend() : Backend.channelBackend();
      if (c.point().startsWith("create.")) {
        checkCreate(c, file, p, backend, context);
      } else {
        checkStep(c, file, p, backend, context);
      }
      // The file is opened several times in a row here: see CrashChild.Run.SPAWN_LOCK.
      synchronized (CrashChild.Run.SPAWN_LOCK) {
        checkUsable(file, backend, context);
      }
    }
  }

  /**
   * A crash while creating: no file under the final name before it is published, an empty one
   * after.
   */
  private static void checkCreate(
      Case c, Path file, CrashChild.Progress p, Backend backend, String context)
      throws IOException {
    assertThat(p.opened())
        .as("the open returned although it halted in create%n%s", context)
        .isFalse();
    List<Path> tmp = CrashRecovery.leftoverTemporaries(file);
    if (BEFORE_PUBLISH.contains(c.point())) {
      assertThat(file).as("a file under the final name before publish%n%s", context).doesNotExist();
      assertThat(tmp).as("the temporary file of the interrupted create%n%s", context).hasSize(1);
      count("absent (tmp left)");
    } else {
      assertThat(file).as("the published file%n%s", context).exists();
      assertThat(tmp).as("temporary files after publish%n%s", context).isEmpty();
      synchronized (CrashChild.Run.SPAWN_LOCK) {
        try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true), backend)) {
          assertThat(v.size()).as("length of a just-created file%n%s", context).isZero();
        }
      }
      count("empty");
    }
  }

  /**
   * A crash inside a sync, growth or shrink: the contract, and the length a process crash leaves.
   */
  private static void checkStep(
      Case c, Path file, CrashChild.Progress p, Backend backend, String context)
      throws IOException {
    assertThat(p.opened()).as("the file was created%n%s", context).isTrue();
    String point = c.point();
    if (point.startsWith("sync.")) {
      assertThat(p.syncing()).as("a sync in progress at %s%n%s", point, context).isPositive();
    } else if (point.startsWith("shrink.")) {
      assertThat(p.syncingKind())
          .as("a shrinkToFit in progress at %s%n%s", point, context)
          .isEqualTo("shrink");
    } else {
      assertThat(p.growing())
          .as("a growing operation in progress at %s%n%s", point, context)
          .isPositive();
      assertThat(p.syncing()).as("no sync in progress at %s%n%s", point, context).isZero();
    }
    CrashRecovery.Found found =
        CrashRecovery.verify(
            file,
            p,
            c.seed(),
            CrashWorkload.Profile.named(c.profile()),
            c.maxOps(),
            backend,
            context);
    assertThat(found.tmpFiles()).as("temporary files%n%s", context).isEmpty();
    count(found.outcome().name().toLowerCase());
    // The process died, the page cache did not: whether the new length shows is decided by
    // whether the slot was written to the mapping before the halt.
    boolean slotWritten =
        point.equals("sync.afterSlotWrite")
            || point.equals("sync.afterSlotSync")
            || point.startsWith("shrink.");
    boolean slotNotYet =
        (point.equals("sync.begin")
                || point.equals("sync.afterData")
                || point.equals("sync.afterFdatasync"))
            && !"shrink".equals(p.syncingKind()); // a shrink's second sync follows its commit
    if (slotWritten) {
      assertThat(found.outcome())
          .as("after %s the new length is in the page cache%n%s", point, context)
          .isIn(CrashModel.Outcome.NEW, CrashModel.Outcome.SAME);
    } else if (slotNotYet || point.startsWith("grow.")) {
      assertThat(found.outcome())
          .as("at %s no slot was written yet%n%s", point, context)
          .isIn(CrashModel.Outcome.OLD, CrashModel.Outcome.SAME);
    }
  }

  /** After recovery the file takes writes again: append, sync, reopen. */
  private static void checkUsable(Path file, Backend backend, String context) throws IOException {
    long size;
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
      size = v.size();
      v.add(0x600DL);
      v.sync();
    }
    try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true), backend)) {
      assertThat(v.size()).as("length after a post-crash append%n%s", context).isEqualTo(size + 1);
      assertThat(v.get(size)).as("the post-crash append%n%s", context).isEqualTo(0x600DL);
    }
  }

  private static void count(String outcome) {
    synchronized (OUTCOMES) {
      OUTCOMES.merge(outcome, 1, Integer::sum);
    }
  }
}
