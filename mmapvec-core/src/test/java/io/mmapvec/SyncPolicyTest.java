package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SyncPolicy}: when each policy syncs, counted by {@link VecStats#syncs()} and by the crash
 * hook {@code sync.begin}, and that what it synced survives a SIGKILL of a child JVM ({@link
 * SyncPolicyChild}).
 *
 * <p>A SIGKILL keeps the page cache, so what it can lose is only what no sync committed: the length
 * in the header slot. The crash tests therefore append, and check the reopened length.
 */
class SyncPolicyTest {
  private static final Duration KILL_WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final List<Vec> opened = new ArrayList<>();

  @AfterEach
  void cleanUp() throws IOException {
    CrashHooks.setListener(null);
    for (Vec v : opened) {
      v.close();
    }
  }

  private LongVec open(Path file, SyncPolicy policy) throws IOException {
    return open(file, policy, Backend.nativeBackend());
  }

  private LongVec open(Path file, SyncPolicy policy, Backend backend) throws IOException {
    if (backend.name().equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    LongVec v = LongVec.open(file, VecOptions.defaults().withSyncPolicy(policy), backend);
    opened.add(v);
    return v;
  }

  private static Backend backendNamed(String name) {
    return SyncPolicyChild.backend(name);
  }

  /** Counts {@code sync.begin} for one file, by thread name. */
  private static final class SyncCounter implements CrashHooks.Listener {
    private final Path file;
    final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
    final AtomicInteger total = new AtomicInteger();

    SyncCounter(Path file) {
      this.file = file;
    }

    @Override
    public void reached(CrashPoint point, Path f) {
      if (point == CrashPoint.SYNC_BEGIN && f.equals(file)) {
        total.incrementAndGet();
        byThread
            .computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger())
            .incrementAndGet();
      }
    }

    int flusherSyncs() {
      AtomicInteger n = byThread.get("mmapvec-flusher");
      return n == null ? 0 : n.get();
    }
  }

  /** Waits until {@code condition} holds; fails after a minute (never a timing assertion). */
  private static void await(String what, IntSupplier value, int atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (value.getAsInt() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + " >= " + atLeast);
      }
      Thread.sleep(2);
    }
  }

  // ------------------------------------------------------------------------------------ arguments

  @Test
  void invalidArgumentsAreRejected() throws IOException {
    assertThatThrownBy(() -> SyncPolicy.everyWrites(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> SyncPolicy.everyWrites(-5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncPolicy.everyWrites(Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncPolicy.every(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncPolicy.every(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncPolicy.every(Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncPolicy.every(null)).isInstanceOf(NullPointerException.class);
    // Hardening 13.9: too long for the flusher's nanoseconds. Before the fix the policy was
    // accepted and open threw a bare ArithmeticException (checked).
    for (Duration tooLong :
        new Duration[] {
          Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE).plusNanos(1)
        }) {
      assertThatThrownBy(() -> SyncPolicy.every(tooLong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2^63-1 ns");
    }
    // The smallest legal values.
    assertThat(SyncPolicy.everyWrites(1)).isEqualTo(new SyncPolicy.EveryWrites(1));
    assertThat(SyncPolicy.every(Duration.ofMillis(1)))
        .isEqualTo(new SyncPolicy.Every(Duration.ofMillis(1)));
    // The largest legal interval opens (the flusher schedules it) and closes.
    try (LongVec v =
        open(dir.resolve("longest.vec"), SyncPolicy.every(Duration.ofNanos(Long.MAX_VALUE)))) {
      v.add(1);
    }
  }

  // ------------------------------------------------------------------------------------ manual

  @Test
  void manualSyncsOnlyOnSyncAndClose() throws Exception {
    Path file = dir.resolve("manual.vec");
    SyncCounter counter = new SyncCounter(file);
    CrashHooks.setListener(counter);
    LongVec v = open(file, SyncPolicy.manual());
    MutatingCalls.runCycles(v, 3, null);
    for (int i = 0; i < 2000; i++) {
      v.add(i + 1);
    }
    v.reserve(10_000);
    assertThat(v.stats().syncs()).isZero();
    assertThat(counter.total.get()).isZero();

    v.sync();
    assertThat(v.stats().syncs()).isEqualTo(1);
    v.sync(); // nothing changed: nothing to write, not counted
    assertThat(v.stats().syncs()).isEqualTo(1);

    v.set(0, 42);
    assertThat(v.stats().syncs()).isEqualTo(1);
    int beforeClose = counter.total.get();
    long size = v.size();
    v.close();
    assertThat(counter.total.get()).as("close syncs").isEqualTo(beforeClose + 1);
    assertThat(counter.flusherSyncs()).isZero();

    try (LongVec again = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(again.size()).isEqualTo(size);
      assertThat(again.get(0)).isEqualTo(42);
    }
  }

  // ------------------------------------------------------------------------------------
  // everyWrites

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 100})
  void everyWritesSyncsExactlyAfterEveryNthMutatingCall(int n) throws IOException {
    LongVec v = open(dir.resolve("every-" + n + ".vec"), SyncPolicy.everyWrites(n));
    long[] calls = {0};
    Consumer<String> afterCall =
        name -> {
          calls[0]++;
          assertThat(v.stats().syncs())
              .as("syncs after mutating call %d (%s) with everyWrites(%d)", calls[0], name, n)
              .isEqualTo(calls[0] / n);
        };
    // Enough cycles for at least two syncs at n = 100.
    MutatingCalls.runCycles(v, Math.max(3, 2 * n / MutatingCalls.PER_CYCLE + 2), afterCall);
    assertThat(calls[0]).isGreaterThanOrEqualTo(2L * n);

    // Reads, reserve and failed calls are not mutating calls.
    v.add(6);
    afterCall.accept("add");
    long syncs = v.stats().syncs();
    long before = calls[0];
    v.get(0);
    v.size();
    v.toArray();
    v.reserve(100_000);
    assertThatThrownBy(() -> v.set(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.set(v.size(), 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.removeAt(v.size())).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> v.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(v.stats().syncs()).isEqualTo(syncs);
    // The countdown goes on where it was.
    for (int i = 0; i < n; i++) {
      v.add(7);
      afterCall.accept("add after non-mutating calls");
    }
    assertThat(calls[0] - before).isEqualTo(n);
  }

  @Test
  void everyWritesSyncsInsideTheNthCallAfterItsChange() throws IOException {
    Path file = dir.resolve("inside.vec");
    LongVec v = open(file, SyncPolicy.everyWrites(2));
    List<Long> sizeAtSync = new ArrayList<>();
    CrashHooks.setListener(
        (point, f) -> {
          if (point == CrashPoint.SYNC_BEGIN && f.equals(file)) {
            sizeAtSync.add(v.size());
          }
        });
    v.add(1);
    assertThat(sizeAtSync).isEmpty();
    v.add(2);
    assertThat(sizeAtSync).containsExactly(2L);
    v.add(3);
    v.set(0, 9);
    assertThat(sizeAtSync).containsExactly(2L, 3L);
  }

  /**
   * In a child JVM killed with SIGKILL right after the line saying that the n-th write returned,
   * the writes up to the last n-th are committed, and no more: with {@code everyWrites(n)} and
   * {@code 2n + (n - 1)} adds, the reopened length is exactly {@code 2n}.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void everyWritesMakesTheNthWriteDurable(int n) throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path file = dir.resolve("durable-" + n + ".vec");
    int adds = 2 * n + (n - 1); // two syncs, then n - 1 writes that no sync covers
    try (ChildJvm child =
        ChildJvm.start(
            dir,
            "everyWrites" + n,
            SyncPolicyChild.class,
            "adds",
            file.toString(),
            "native",
            "everyWrites:" + n,
            String.valueOf(adds))) {
      child.awaitLine("ADDED " + adds);
      child.kill();
    }
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(v.size()).isEqualTo(2L * n);
      for (int i = 0; i < 2 * n; i++) {
        assertThat(v.get(i)).as("element %d", i).isEqualTo(SyncPolicyChild.value(i));
      }
    }
  }

  @Test
  void everyWritesKilledRightAfterTheNthWriteKeepsIt() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path file = dir.resolve("right-after.vec");
    int n = 5;
    try (ChildJvm child =
        ChildJvm.start(
            dir,
            "rightAfter",
            SyncPolicyChild.class,
            "adds",
            file.toString(),
            "native",
            "everyWrites:" + n,
            String.valueOf(n))) {
      child.awaitLine("WROTE " + n);
      child.kill();
    }
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(v.size()).isEqualTo(n);
      assertThat(v.toArray())
          .containsExactly(
              SyncPolicyChild.value(0),
              SyncPolicyChild.value(1),
              SyncPolicyChild.value(2),
              SyncPolicyChild.value(3),
              SyncPolicyChild.value(4));
    }
  }

  // ------------------------------------------------------------------------------------ every

  /**
   * An idle vector's appended values are committed by the flusher without any further call: the
   * child adds, says so, then only sleeps; the parent waits a second (20 intervals) and kills it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void everyMakesAnIdleVectorsAppendsDurable(String backend) throws Exception {
    if (backend.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    Path file = dir.resolve("idle-" + backend + ".vec");
    int count = 1000; // more than the first page: the file grows too
    try (ChildJvm child =
        ChildJvm.start(
            dir,
            "idle-" + backend,
            SyncPolicyChild.class,
            "adds",
            file.toString(),
            backend,
            "every:50",
            String.valueOf(count))) {
      child.awaitLine("ADDED " + count);
      Thread.sleep(1000);
      assertThat(child.process().isAlive()).as(child.transcript()).isTrue();
      child.kill();
    }
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backendNamed(backend))) {
      assertThat(v.size()).isEqualTo(count);
      for (int i = 0; i < count; i++) {
        assertThat(v.get(i)).as("element %d", i).isEqualTo(SyncPolicyChild.value(i));
      }
    }
  }

  @Test
  void everySyncsFromTheFlusherThreadWithoutAnyCall() throws Exception {
    Path file = dir.resolve("flusher.vec");
    SyncCounter counter = new SyncCounter(file);
    CrashHooks.setListener(counter);
    LongVec v = open(file, SyncPolicy.every(Duration.ofMillis(5)));
    v.add(1);
    v.add(2);
    await("flusher syncs", counter::flusherSyncs, 1);
    await("stats().syncs()", () -> (int) v.stats().syncs(), 1);
    assertThat(counter.byThread.keySet()).containsOnly("mmapvec-flusher");
  }

  /**
   * The flusher never races the writer: a writer doing random adds, sets, truncates and inserts for
   * about two seconds while the flusher syncs every millisecond; after close and reopen the file
   * holds exactly the model's contents.
   */
  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void everyNeverRacesTheWriter(String backend) throws Exception {
    Path file = dir.resolve("race-" + backend + ".vec");
    SyncCounter counter = new SyncCounter(file);
    CrashHooks.setListener(counter);
    LongVec v = open(file, SyncPolicy.every(Duration.ofMillis(1)), backendNamed(backend));
    SyncPolicyChild.Model model = new SyncPolicyChild.Model(false);
    SyncPolicyChild.Workload onVec =
        new SyncPolicyChild.Workload(20240611L, new SyncPolicyChild.VecTarget(v));
    SyncPolicyChild.Workload onModel = new SyncPolicyChild.Workload(20240611L, model);
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    long[] steps = {0};
    Thread writer =
        Thread.ofPlatform()
            .name("writer")
            .start(
                () -> {
                  while (System.nanoTime() < deadline) {
                    onVec.step();
                    steps[0]++;
                  }
                });
    writer.join(Duration.ofSeconds(60));
    assertThat(writer.isAlive()).isFalse();
    for (long i = 0; i < steps[0]; i++) {
      onModel.step();
    }
    long[] expected = model.toArray();
    assertThat(v.toArray()).containsExactly(expected);
    assertThat(counter.flusherSyncs()).as("the flusher ran").isGreaterThan(0);
    v.close();
    try (LongVec again = LongVec.open(file, VecOptions.defaults(), backendNamed(backend))) {
      assertThat(again.toArray()).containsExactly(expected);
    }
  }

  /**
   * The crash contract under {@code every(1 ms)}: a child JVM runs a seeded random workload and is
   * killed with SIGKILL in the middle. The reopened length must be a size the vector had at or
   * after the last explicit sync the child reported (the flusher only commits sizes the vector had,
   * and never one older than a sync that returned), and every element below it must hold a value
   * that was stored at that index at some point (in particular never the zero of an unwritten
   * element: every value written is non-zero).
   */
  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void everyKilledMidRunLeavesAFileThatKeepsTheCrashContract(String backend) throws Exception {
    if (backend.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    Path file = dir.resolve("crash-" + backend + ".vec");
    long seed = new SplittableRandom().nextLong();
    int ops = 200_000; // at least two seconds: the kill comes long before the end
    int killAt = 1000 * (5 + new SplittableRandom(seed).nextInt(40));
    String transcript;
    try (ChildJvm child =
        ChildJvm.start(
            dir,
            "crash-" + backend,
            SyncPolicyChild.class,
            "race",
            file.toString(),
            backend,
            String.valueOf(seed),
            String.valueOf(ops))) {
      child.awaitLine("STARTED");
      child.awaitLine("AT " + killAt, "DONE");
      child.kill();
      transcript = child.transcript();
    }
    String why =
        "seed "
            + seed
            + ", killed after step "
            + killAt
            + (transcript.contains("DONE") ? " (after the end of the run)" : "")
            + "\n";
    long lastSyncStep = 0;
    long lastSyncSize = 0;
    for (String line : transcript.split("\n")) {
      if (line.startsWith("SYNC ")) {
        String[] w = line.split(" ");
        lastSyncStep = Long.parseLong(w[1]);
        lastSyncSize = Long.parseLong(w[2]);
      }
    }

    // Replay the whole workload on a model (a superset of what the child did).
    SyncPolicyChild.Model model = new SyncPolicyChild.Model(true);
    SyncPolicyChild.Workload w = new SyncPolicyChild.Workload(seed, model);
    BitSet allowedLengths = new BitSet();
    for (int step = 1; step <= ops; step++) {
      w.step();
      if (step == lastSyncStep) {
        assertThat(model.size())
            .as(why + "model size at the reported sync")
            .isEqualTo(lastSyncSize);
      }
      if (step >= lastSyncStep) {
        allowedLengths.set((int) model.size());
      }
    }
    if (lastSyncStep == 0) {
      allowedLengths.set(0);
    }
    long[] pairs = model.sortedPairs();

    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backendNamed(backend))) {
      long length = v.size();
      assertThat(allowedLengths.get((int) Math.min(length, Integer.MAX_VALUE)))
          .as(
              why + "reopened length %d is a size the vector had at or after step %d",
              length,
              lastSyncStep)
          .isTrue();
      for (long i = 0; i < length; i++) {
        long value = v.get(i);
        assertThat(SyncPolicyChild.Model.everHeld(pairs, i, value))
            .as(why + "element %d holds %d, a value it held at some point", i, value)
            .isTrue();
      }
    }
  }

  // ------------------------------------------------------------------------------------ close

  @Test
  void closeStopsTheFlusher() throws Exception {
    Path file = dir.resolve("stop.vec");
    SyncCounter counter = new SyncCounter(file);
    CrashHooks.setListener(counter);
    LongVec v = open(file, SyncPolicy.every(Duration.ofMillis(1)));
    v.add(1);
    await("flusher syncs", counter::flusherSyncs, 1);
    // The flusher syncs a vector with data every interval; keep it busy until close.
    for (int i = 0; i < 1000; i++) {
      v.add(i);
    }
    v.close();
    int atClose = counter.flusherSyncs();
    Thread.sleep(100); // a hundred intervals
    assertThat(counter.flusherSyncs()).as("flusher syncs after close").isEqualTo(atClose);
    assertThatThrownBy(v::stats).isInstanceOf(VecClosedException.class);
    // The file is free at once and holds everything.
    try (LongVec again = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(again.size()).isEqualTo(1001);
    }
  }

  @Test
  void theFlusherIsOneSharedDaemonThread() throws Exception {
    List<LongVec> vecs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      LongVec v = open(dir.resolve("t" + i + ".vec"), SyncPolicy.every(Duration.ofMillis(1)));
      v.add(i);
      vecs.add(v);
    }
    Path file = dir.resolve("t0.vec");
    SyncCounter counter = new SyncCounter(file);
    CrashHooks.setListener(counter);
    vecs.getFirst()
        .add(99); // a change after the listener is in: an idle vector is not synced again
    await("flusher syncs", counter::flusherSyncs, 1);
    List<Thread> flushers = flusherThreads();
    assertThat(flushers).hasSize(1);
    assertThat(flushers.getFirst().isDaemon()).isTrue();
    for (LongVec v : vecs) {
      v.close();
    }
    List<Thread> after = flusherThreads();
    assertThat(after).hasSizeLessThanOrEqualTo(1);
    assertThat(after).allMatch(Thread::isDaemon);
  }

  private static List<Thread> flusherThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("mmapvec-flusher"))
        .toList();
  }

  /**
   * VecStats: "a sync with nothing to write is not counted". Once the flusher has committed an idle
   * vector, its later rounds have nothing to write (no change, same length).
   */
  @Test
  void everyDoesNotCountIdleRoundsAsSyncs() throws Exception {
    Path file = dir.resolve("idle-count.vec");
    LongVec v = open(file, SyncPolicy.every(Duration.ofMillis(2)));
    for (int i = 0; i < 100; i++) {
      v.add(i);
    }
    await("stats().syncs()", () -> (int) v.stats().syncs(), 1);
    Thread.sleep(20); // let a round in flight finish
    long syncs = v.stats().syncs();
    long bytes = v.stats().bytesSynced();
    Thread.sleep(100); // fifty idle rounds
    assertThat(v.stats().syncs()).as("syncs counted while idle").isEqualTo(syncs);
    assertThat(v.stats().bytesSynced()).as("bytes synced while idle").isEqualTo(bytes);
  }

  // ------------------------------------------------------------------------------------ helpers

  /**
   * A cycle of every mutating call of {@link LongVec}, each of which really changes the size or an
   * element (so a sync after it has something to write). Starts from any size, keeps it positive
   * where a call needs an element, and ends empty ({@code clear}).
   */
  static final class MutatingCalls {
    static final int PER_CYCLE = 11;

    static void runCycles(LongVec v, int cycles, Consumer<String> afterEach) {
      long next = 1_000;
      for (int c = 0; c < cycles; c++) {
        v.add(next++);
        after(afterEach, "add");
        v.set(v.size() - 1, next++);
        after(afterEach, "set");
        v.insertAt(0, next++);
        after(afterEach, "insertAt");
        v.addAll(new long[] {next++, next++});
        after(afterEach, "addAll");
        v.copyFrom(0, new long[] {next++}, 0, 1);
        after(afterEach, "copyFrom");
        v.resize(v.size() + 2, next++);
        after(afterEach, "resize");
        v.removeAt(0);
        after(afterEach, "removeAt");
        v.swapRemoveAt(0);
        after(afterEach, "swapRemoveAt");
        v.removeLast();
        after(afterEach, "removeLast");
        v.truncate(v.size() - 1);
        after(afterEach, "truncate");
        v.clear();
        after(afterEach, "clear");
      }
    }

    private static void after(Consumer<String> afterEach, String name) {
      if (afterEach != null) {
        afterEach.accept(name);
      }
    }
  }
}
