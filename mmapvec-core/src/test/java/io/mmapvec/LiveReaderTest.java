package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.format.LiveHeader;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live readers in one JVM: a writer and read-only opens of the same file at the same time (the
 * multi-process version is {@code LiveReadersIT}).
 */
@Timeout(120)
class LiveReaderTest {
  private static final VecOptions RO = VecOptions.defaults().withReadOnly(true);

  @TempDir Path dir;
  private Path file;
  private final List<Vec> open = new ArrayList<>();

  @BeforeEach
  void nativeBackend() {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    file = dir.resolve("live.vec");
  }

  @AfterEach
  void closeAll() throws IOException {
    CrashHooks.setListener(null);
    for (Vec v : open.reversed()) {
      v.close();
    }
  }

  private <V extends Vec> V track(V v) {
    open.add(v);
    return v;
  }

  private LongVec writer() throws IOException {
    return track(LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend()));
  }

  private LongVec reader() throws IOException {
    return track(LongVec.open(file, RO, Backend.nativeBackend()));
  }

  @Test
  void aReaderShowsOnlyCommitsAndHoldsItsSizeUntilRefresh() throws Exception {
    LongVec w = writer();
    LongVec r = reader();
    assertThat(r.size()).isZero();
    w.add(10);
    w.add(11);
    assertThat(r.refresh()).as("not synced yet").isZero();
    w.sync();
    assertThat(r.size()).as("fixed until refresh").isZero();
    assertThat(r.refresh()).isEqualTo(2);
    assertThat(r.toArray()).containsExactly(10, 11);
    w.add(12);
    w.sync();
    assertThat(r.size()).isEqualTo(2);
    assertThatThrownBy(() -> r.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(r.refresh()).isEqualTo(3);
    assertThat(r.get(2)).isEqualTo(12);
    assertThat(r.refresh()).as("nothing changed").isEqualTo(3);
    assertThatThrownBy(() -> r.add(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(w.refresh()).as("a writer shows its own state").isEqualTo(3);
    w.add(13);
    assertThat(w.refresh()).isEqualTo(4);
    assertThat(w.awaitCommit(Duration.ofDays(1))).as("a writer does not wait").isEqualTo(4);
  }

  @Test
  void aCommitIsShownOnlyAfterItsSlotIsDurableAndPublished() throws IOException {
    LongVec w = writer();
    w.add(1);
    w.sync();
    LongVec r = reader();
    assertThat(r.size()).isEqualTo(1);
    List<String> seen = new ArrayList<>();
    CrashHooks.setListener(
        (point, f) -> {
          if (point.key().startsWith("sync.")) {
            seen.add(point.key() + "=" + r.refresh());
          }
        });
    w.add(2);
    w.add(3);
    w.sync();
    CrashHooks.setListener(null);
    // The slot is in the page cache from afterSlotWrite on, durable from afterSlotSync on; the
    // reader shows it only once the sequence word is published, after both.
    assertThat(seen)
        .containsExactly(
            "sync.begin=1", "sync.afterData=1", "sync.afterSlotWrite=1", "sync.afterSlotSync=1");
    assertThat(r.refresh()).isEqualTo(3);
  }

  @Test
  void theRewriteCounterTellsWhenElementsBelowTheOldSizeMayHaveChanged() throws IOException {
    LongVec w = writer();
    LongVec r = reader();
    long start = r.rewriteCount();
    for (int i = 0; i < 10; i++) {
      w.add(i);
    }
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("appends only").isEqualTo(start);
    w.add(10);
    w.set(10, 100); // above the committed size: not a rewrite for any reader
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("set above the committed size").isEqualTo(start);

    long before = r.rewriteCount();
    w.set(3, 33);
    w.sync();
    assertThat(r.refresh()).isEqualTo(11);
    assertThat(r.rewriteCount()).as("in-place set").isNotEqualTo(before);
    assertThat(r.get(3)).isEqualTo(33);
    assertThat(w.rewriteCount()).isEqualTo(r.rewriteCount());

    before = r.rewriteCount();
    w.truncate(5);
    w.add(50);
    w.sync();
    assertThat(r.refresh()).isEqualTo(6);
    assertThat(r.rewriteCount()).as("truncate").isNotEqualTo(before);

    before = r.rewriteCount();
    w.insertAt(0, -1);
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("insert").isNotEqualTo(before);

    before = r.rewriteCount();
    w.removeAt(0);
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("remove").isNotEqualTo(before);

    before = r.rewriteCount();
    w.removeLast();
    w.add(7);
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("pop then append at the same index").isNotEqualTo(before);

    before = r.rewriteCount();
    w.asSegment(); // writes through a view cannot be seen: every later commit counts
    w.add(8);
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).as("a writable view is out").isNotEqualTo(before);
    assertThat(r.toArray()).containsExactly(0, 1, 2, 33, 4, 7, 8);
  }

  /**
   * The flusher ({@code SyncPolicy.every}) cannot read the owner's dirty range; it learns of
   * rewrites from the owner's count of them. Appends it commits leave the counter alone; a set that
   * leaves the size alone is committed without any further call, and counted.
   */
  @Test
  void theFlusherCommitsAnInPlaceSetAndCountsItAsARewrite() throws Exception {
    VecOptions every = VecOptions.defaults().withSyncPolicy(SyncPolicy.every(Duration.ofMillis(2)));
    LongVec w = track(LongVec.open(file, every, Backend.nativeBackend()));
    LongVec r = reader();
    long start = r.rewriteCount();
    for (int i = 0; i < 10; i++) {
      w.add(i);
    }
    awaitReader(r, () -> r.size() == 10);
    w.add(10);
    awaitReader(r, () -> r.size() == 11);
    assertThat(r.rewriteCount()).as("appends only").isEqualTo(start);
    w.set(3, 33);
    awaitReader(r, () -> r.rewriteCount() != start);
    assertThat(r.get(3)).isEqualTo(33);
    assertThat(r.size()).isEqualTo(11);
  }

  private static void awaitReader(Vec r, BooleanSupplier done) throws Exception {
    awaitUntil(r::refresh, r::awaitCommit, done);
  }

  /**
   * Refreshes a reader (a vector or a group) until {@code done} holds, waiting for commits in
   * between; fails after a minute.
   */
  static void awaitUntil(Callable<?> refresh, Await await, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    refresh.call();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited a minute").isLessThan(deadline);
      await.awaitCommit(Duration.ofMillis(50));
      refresh.call();
    }
  }

  /** A reader's {@code awaitCommit}. */
  interface Await {
    long awaitCommit(Duration timeout) throws Exception;
  }

  @Test
  void theCounterSurvivesReopeningAndStartsAtZeroInANewFile() throws IOException {
    try (LongVec w = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(w.rewriteCount()).isZero();
      w.add(1);
      w.sync();
      w.set(0, 2);
      w.sync();
      assertThat(w.rewriteCount()).isEqualTo(1);
    }
    try (LongVec r = LongVec.open(file, RO, Backend.nativeBackend())) {
      assertThat(r.rewriteCount()).isEqualTo(1);
      assertThat(VecFiles.describe(file).size()).isEqualTo(1);
    }
  }

  @Test
  void awaitCommitReturnsOnANewCommitOnTimeoutAndOnInterruptAndClose() throws Exception {
    LongVec w = writer();
    LongVec r = reader();
    assertThat(r.awaitCommit(Duration.ofMillis(30))).as("timeout, nothing came").isZero();
    assertThat(r.awaitCommit(Duration.ZERO)).isZero();
    assertThat(r.awaitCommit(Duration.ofSeconds(-1))).isZero();

    CompletableFuture<Long> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return r.awaitCommit(Duration.ofMinutes(1));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(50);
    w.add(1);
    w.add(2);
    w.sync();
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(2);

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> r.awaitCommit(Duration.ofMinutes(1)))
        .isInstanceOf(InterruptedException.class)
        .hasMessageContaining(file.toString());

    CompletableFuture<Throwable> closedWhileWaiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                r.awaitCommit(Duration.ofMinutes(1));
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Thread.sleep(50);
    r.close();
    assertThat(closedWhileWaiting.get(30, TimeUnit.SECONDS)).isInstanceOf(VecClosedException.class);
  }

  @Test
  void shrinkWaitsWhileAReaderMayHaveTheTailMappedAndHappensOnceItCloses() throws IOException {
    LongVec w = writer();
    int n = 1 << 20; // 8 MiB of longs
    for (int i = 0; i < n; i++) {
      w.add(i);
    }
    w.sync();
    long bigFile = Files.size(file);
    LongVec r = reader();
    assertThat(r.size()).isEqualTo(n);
    assertThat(r.get(n - 1)).isEqualTo(n - 1);

    w.truncate(10);
    w.shrinkToFit();
    assertThat(Files.size(file)).as("deferred: a reader is open").isEqualTo(bigFile);
    assertThat(w.size()).isEqualTo(10);
    // The reader still shows its commit; its tail is still in the file, never a SIGBUS.
    assertThat(r.size()).isEqualTo(n);
    assertThat(r.get(n - 1)).isEqualTo(n - 1);
    assertThat(r.refresh()).isEqualTo(10);
    w.sync();
    assertThat(Files.size(file)).as("still deferred").isEqualTo(bigFile);

    r.close();
    w.sync(); // nothing to commit; the deferred shrink runs now
    assertThat(Files.size(file)).isLessThan(bigFile).isLessThanOrEqualTo(65536 + 4096);
    w.add(11);
    w.close();
    try (LongVec again = LongVec.open(file, RO, Backend.nativeBackend())) {
      assertThat(again.toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11);
    }
  }

  @Test
  void aDeferredShrinkHappensAtCloseIfTheReaderIsGoneByThen() throws IOException {
    LongVec w = writer();
    for (int i = 0; i < 100_000; i++) {
      w.add(i);
    }
    w.sync();
    long bigFile = Files.size(file);
    LongVec r = reader();
    w.clear();
    w.shrinkToFit();
    assertThat(Files.size(file)).isEqualTo(bigFile);
    r.close();
    w.close();
    assertThat(Files.size(file)).isEqualTo(65536); // the header alone: 0 elements
  }

  @Test
  void aFileWhosePublishedWordIsBehindOpensWithItsNewestSlotWhenNoWriterIsOpen()
      throws IOException {
    // As a file written before the word existed (format v1 as first released), or one whose
    // writer died between a slot's msync and publishing it.
    try (LongVec w = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
      w.add(1);
      w.add(2);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8), LiveHeader.PUBLISHED_SEQUENCE_OFFSET);
    }
    try (LongVec r = LongVec.open(file, RO, Backend.nativeBackend())) {
      assertThat(r.toArray()).containsExactly(1, 2);
    }
    // A writer publishes what it found at open.
    LongVec w = writer();
    LongVec r = reader();
    assertThat(r.toArray()).containsExactly(1, 2);
    w.add(3);
    w.sync();
    assertThat(r.refresh()).isEqualTo(3);
  }

  @Test
  void structVecReadersSeeWholeCommittedRecords() throws IOException {
    record Tick(long time, double price, int qty) {}
    Path ticks = dir.resolve("ticks.vec");
    StructVec<Tick> w = track(StructVec.open(ticks, Tick.class));
    StructVec<Tick> r = track(StructVec.open(ticks, Tick.class, RO));
    w.add(new Tick(1, 1.5, 10));
    w.sync();
    assertThat(r.refresh()).isEqualTo(1);
    assertThat(r.get(0)).isEqualTo(new Tick(1, 1.5, 10));
    long rewrites = r.rewriteCount();
    w.set(0, new Tick(2, 2.5, 20));
    w.sync();
    r.refresh();
    assertThat(r.rewriteCount()).isNotEqualTo(rewrites);
    assertThat(r.doubleField("price").get(0)).isEqualTo(2.5);
  }

  @Test
  void theFallbackReadsButRefusesToWaitAndCannotOpenNextToAWriter() throws Exception {
    Path f = dir.resolve("fallback.vec");
    try (LongVec w = LongVec.open(f, VecOptions.defaults(), Backend.channelBackend())) {
      w.add(4);
    }
    try (LongVec r = LongVec.open(f, RO, Backend.channelBackend())) {
      assertThat(r.refresh()).isEqualTo(1);
      assertThatThrownBy(() -> r.awaitCommit(Duration.ofMillis(1)))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("native backend")
          .hasMessageContaining(f.toString());
    }
    // A native writer in another process: the fallback's whole-file lock is refused, clearly.
    try (ChildJvm holder =
        ChildJvm.start(dir, "holder", Holder.class, f.toString(), "rw", "native")) {
      assertThat(holder.awaitLine("READY", "LOCKED", "FORMAT", "ERROR")).startsWith("READY");
      assertThatThrownBy(() -> LongVec.open(f, RO, Backend.channelBackend()).close())
          .isInstanceOf(VecLockedException.class)
          .hasMessageContaining("needs the native backend");
    }
  }
}
