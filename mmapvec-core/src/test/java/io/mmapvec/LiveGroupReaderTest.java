package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.posix.Posix;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only group open next to a group writer in the same JVM: it shows only committed group
 * lengths, the same commit in every column, follows new commits on {@code refresh()}, wakes in
 * {@code awaitCommit}, tells rewrites, and follows added and dropped columns.
 */
class LiveGroupReaderTest {
  private static final VecOptions RO = VecOptions.defaults().withReadOnly(true);

  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void setUp() {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    dir = tmp.resolve("ticks");
  }

  private static void addRows(VecGroup g, long from, long to) throws Exception {
    LongVec a = g.longVec("a");
    DoubleVec b = g.doubleVec("b");
    for (long i = from; i < to; i++) {
      a.add(i);
      b.add(i * 0.5);
    }
  }

  @Test
  void aReaderShowsOnlyCommittedLengthsUntilRefresh() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 100);
      w.sync();
      addRows(w, 100, 150); // not committed
      try (VecGroup r = VecGroup.open(dir, RO)) {
        LongVec a = r.longVec("a");
        DoubleVec b = r.doubleVec("b");
        assertThat(r.sequence()).isEqualTo(w.sequence());
        assertThat(a.size()).isEqualTo(100);
        assertThat(b.size()).isEqualTo(100);
        assertThat(r.refresh()).isEqualTo(w.sequence());
        assertThat(a.size()).isEqualTo(100);
        assertThatThrownBy(() -> a.get(100)).isInstanceOf(IndexOutOfBoundsException.class);
        w.sync();
        // Unchanged until the reader refreshes: the commit it shows stays fixed.
        assertThat(a.size()).isEqualTo(100);
        assertThat(r.refresh()).isEqualTo(w.sequence());
        assertThat(a.size()).isEqualTo(150);
        assertThat(b.size()).isEqualTo(150);
        for (int i = 0; i < 150; i++) {
          assertThat(a.get(i)).isEqualTo(i);
          assertThat(b.get(i)).isEqualTo(i * 0.5);
        }
        assertThatThrownBy(() -> a.add(1)).isInstanceOf(UnsupportedOperationException.class);
        // A column's own refresh() refreshes the whole group.
        addRows(w, 150, 160);
        w.sync();
        assertThat(a.refresh()).isEqualTo(160);
        assertThat(b.size()).isEqualTo(160);
        assertThat(r.sequence()).isEqualTo(w.sequence());
      }
    }
  }

  @Test
  void aSlotAboveThePublishedSequenceIsHiddenWhileTheWriterLives() throws Exception {
    Path manifest = dir.resolve("_manifest");
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 4);
      w.sync();
      w.sync(); // nothing changed: no new slot
      long seq = w.sequence();
      // Forge what a writer leaves between its slot write and its publication: a valid slot one
      // above the published sequence (here with another rewrite counter, so it can be told).
      byte[] m = Files.readAllBytes(manifest);
      var decoded =
          GroupManifestFormat.decode(
              java.lang.foreign.MemorySegment.ofArray(m), m.length, null, null, manifest);
      assertThat(decoded.active().sequence()).isEqualTo(seq);
      var forged = new GroupManifestFormat.Commit(seq + 1, 0, decoded.active().columns(), 42);
      byte[] slot = new byte[GroupManifestFormat.SLOT_BYTES];
      GroupManifestFormat.encodeSlot(java.lang.foreign.MemorySegment.ofArray(slot), forged);
      int other = 1 - decoded.activeSlot();
      try (var ch =
          java.nio.channels.FileChannel.open(manifest, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(slot), GroupManifestFormat.slotOffset(other));
      }
      try (VecGroup r = VecGroup.open(dir, RO)) {
        assertThat(r.sequence()).isEqualTo(seq);
        assertThat(r.refresh()).isEqualTo(seq);
        assertThat(r.rewriteCount()).isZero();
        w.close(); // no writer alive: the newest valid slot is a dead writer's last commit
        assertThat(r.refresh()).isEqualTo(seq + 1);
        assertThat(r.rewriteCount()).isEqualTo(42);
        assertThat(r.longVec("a").size()).isEqualTo(4);
      }
    }
  }

  @Test
  void aSnapshotOpenKeepsRefusingNextToAWriterAndKeepsWritersOut() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 2);
      w.sync();
      assertThatThrownBy(() -> VecGroup.openSnapshot(dir, VecOptions.defaults()))
          .isInstanceOf(VecLockedException.class);
    }
    try (VecGroup snap = VecGroup.openSnapshot(dir, VecOptions.defaults());
        VecGroup live = VecGroup.open(dir, RO)) {
      assertThat(snap.longVec("a").size()).isEqualTo(2);
      assertThat(live.longVec("a").size()).isEqualTo(2);
      assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
      assertThatThrownBy(() -> snap.longVec("a").add(1))
          .isInstanceOf(UnsupportedOperationException.class);
    }
    VecGroup.open(dir).close();
  }

  @Test
  void awaitCommitWakesOnAGroupCommit() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 10);
      w.sync();
      try (VecGroup r = VecGroup.open(dir, RO)) {
        long before = r.sequence();
        assertThat(r.awaitCommit(Duration.ZERO)).isEqualTo(before);
        CompletableFuture<Long> waiting =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return r.awaitCommit(Duration.ofSeconds(60));
                  } catch (Exception e) {
                    throw new RuntimeException(e);
                  }
                });
        addRows(w, 10, 20);
        w.sync();
        assertThat(waiting.get(60, TimeUnit.SECONDS)).isGreaterThan(before);
        assertThat(r.longVec("a").size()).isEqualTo(20);
        assertThat(r.doubleVec("b").size()).isEqualTo(20);
      }
    }
  }

  @Test
  void everyRefreshShowsEveryColumnAtOneCommit() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 1);
      w.sync();
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<Long> writer =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  long n = 1;
                  for (int round = 0; round < 300; round++) {
                    long to = n + 1 + (round * 7919L) % 97;
                    addRows(w, n, to);
                    n = to;
                    w.sync();
                  }
                  return n;
                } catch (Exception e) {
                  throw new RuntimeException(e);
                } finally {
                  done.set(true);
                }
              });
      long refreshes = 0;
      long grew = 0;
      try (VecGroup r = VecGroup.open(dir, RO)) {
        LongVec a = r.longVec("a");
        DoubleVec b = r.doubleVec("b");
        long last = 0;
        while (!done.get() || refreshes == 0) {
          r.refresh();
          refreshes++;
          long n = a.size();
          assertThat(b.size()).as("refresh %d", refreshes).isEqualTo(n);
          assertThat(n).isGreaterThanOrEqualTo(last);
          if (n > last) {
            grew++;
            // Appends only: every value below the size is final.
            assertThat(a.get(n - 1)).isEqualTo(n - 1);
            assertThat(b.get(n - 1)).isEqualTo((n - 1) * 0.5);
            assertThat(a.get(last)).isEqualTo(last);
          }
          last = n;
        }
        long total = writer.get(60, TimeUnit.SECONDS);
        r.refresh();
        assertThat(a.size()).isEqualTo(total);
        assertThat(b.size()).isEqualTo(total);
        assertThat(r.rewriteCount()).isZero();
      }
      assertThat(grew).isPositive();
    }
  }

  /**
   * The group's flusher ({@code SyncPolicy.every}; its columns are opened {@code manual}) commits a
   * set that leaves every length alone, and counts it as a rewrite; appends leave the counter
   * alone.
   */
  @Test
  void theGroupFlusherCommitsAnInPlaceSetAndCountsItAsARewrite() throws Exception {
    VecOptions every = VecOptions.defaults().withSyncPolicy(SyncPolicy.every(Duration.ofMillis(2)));
    try (VecGroup w = VecGroup.open(dir, every)) {
      addRows(w, 0, 10);
      w.sync();
      try (VecGroup r = VecGroup.open(dir, RO)) {
        long r0 = r.rewriteCount();
        addRows(w, 10, 20);
        LongVec a = r.longVec("a");
        awaitGroup(r, () -> a.size() == 20);
        assertThat(r.rewriteCount()).as("appends only").isEqualTo(r0);
        w.doubleVec("b").set(3, -3);
        awaitGroup(r, () -> r.rewriteCount() != r0);
        assertThat(r.doubleVec("b").get(3)).isEqualTo(-3);
        assertThat(r.doubleVec("b").size()).isEqualTo(20);
      }
    }
  }

  private static void awaitGroup(VecGroup r, java.util.function.BooleanSupplier done)
      throws Exception {
    LiveReaderTest.awaitUntil(r::refresh, r::awaitCommit, done);
  }

  @Test
  void rewriteCountTellsInPlaceChangesAndAppendsLeaveItAlone() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 10);
      w.sync();
      try (VecGroup r = VecGroup.open(dir, RO)) {
        long r0 = r.rewriteCount();
        addRows(w, 10, 20);
        w.sync();
        r.refresh();
        assertThat(r.rewriteCount()).isEqualTo(r0);
        long seq = r.sequence();
        w.longVec("a").set(3, -3); // same lengths: the commit still writes a manifest slot
        w.sync();
        assertThat(r.refresh()).isGreaterThan(seq);
        assertThat(r.rewriteCount()).isNotEqualTo(r0);
        assertThat(r.longVec("a").get(3)).isEqualTo(-3);
        assertThat(r.longVec("a").rewriteCount()).isEqualTo(r.rewriteCount());
        long r1 = r.rewriteCount();
        w.doubleVec("b").truncate(5);
        w.longVec("a").truncate(5);
        w.sync();
        r.refresh();
        assertThat(r.rewriteCount()).isNotEqualTo(r1);
        assertThat(r.longVec("a").size()).isEqualTo(5);
        assertThat(r.doubleVec("b").size()).isEqualTo(5);
      }
    }
  }

  @Test
  void addedColumnsAppearAfterRefreshAndDroppedOnesStayReadable() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 10);
      w.sync();
      try (VecGroup r = VecGroup.open(dir, RO)) {
        DoubleVec b = r.doubleVec("b");
        IntVec c = w.intVec("c");
        c.add(7);
        w.sync();
        assertThat(r.names()).containsExactly("a", "b");
        assertThatThrownBy(() -> r.intVec("c")).isInstanceOf(NoSuchFileException.class);
        r.refresh();
        assertThat(r.names()).containsExactly("a", "b", "c");
        assertThat(r.intVec("c").get(0)).isEqualTo(7);
        assertThat(w.drop("b")).isTrue();
        w.sync();
        assertThat(dir.resolve("b.vec")).doesNotExist();
        r.refresh();
        assertThat(r.names()).containsExactly("a", "c");
        // The dropped column's vector keeps its mapping (the file is gone) and its last length.
        assertThat(b.size()).isEqualTo(10);
        assertThat(b.get(9)).isEqualTo(4.5);
        assertThatThrownBy(() -> r.doubleVec("b")).isInstanceOf(NoSuchFileException.class);
        // Added again under the same name: a new file, so a new vector.
        DoubleVec b2 = w.doubleVec("b");
        b2.add(1.25);
        w.sync();
        r.refresh();
        assertThat(r.doubleVec("b").size()).isEqualTo(1);
        assertThat(r.doubleVec("b").get(0)).isEqualTo(1.25);
        assertThat(b.size()).isEqualTo(10);
      }
    }
    try (VecGroup g = VecGroup.open(dir, RO)) {
      assertThat(g.names()).containsExactly("a", "c", "b");
    }
  }

  @Test
  void aReadOnlyColumnarVecFollowsAColumnarWriter() throws Exception {
    try (ColumnarVec<Tick> w = ColumnarVec.open(dir, Tick.class)) {
      w.add(new Tick(1, 1.5, 2));
      w.sync();
      try (ColumnarVec<Tick> r = ColumnarVec.open(dir, Tick.class, RO)) {
        DoubleVec price = r.column("price", DoubleVec.class);
        assertThat(r.size()).isEqualTo(1);
        w.add(new Tick(2, 2.5, 3));
        assertThat(r.refresh()).isEqualTo(r.sequence());
        assertThat(r.size()).isEqualTo(1);
        w.sync();
        long seq = r.awaitCommit(Duration.ofSeconds(60));
        assertThat(seq).isEqualTo(r.sequence());
        assertThat(r.size()).isEqualTo(2);
        assertThat(price.size()).isEqualTo(2);
        assertThat(r.get(1)).isEqualTo(new Tick(2, 2.5, 3));
        long rw = r.rewriteCount();
        w.set(0, new Tick(9, 9.5, 9));
        w.sync();
        r.refresh();
        assertThat(r.rewriteCount()).isNotEqualTo(rw);
        assertThat(r.get(0)).isEqualTo(new Tick(9, 9.5, 9));
      }
    }
  }

  @Test
  void aSecondWriterIsRefusedWhileReadersAreOpenAndReadersNeverBlockTheWriter() throws Exception {
    try (VecGroup w = VecGroup.open(dir)) {
      addRows(w, 0, 3);
      w.sync();
      try (VecGroup r1 = VecGroup.open(dir, RO);
          VecGroup r2 = VecGroup.open(dir, RO)) {
        assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
        assertThatThrownBy(() -> LongVec.open(dir.resolve("a.vec")))
            .isInstanceOf(VecLockedException.class);
        addRows(w, 3, 5);
        w.sync();
        assertThat(r1.refresh()).isEqualTo(r2.refresh()).isEqualTo(w.sequence());
        assertThat(r2.longVec("a").size()).isEqualTo(5);
      }
    }
    // With readers open and no writer, a writer opens.
    try (VecGroup r = VecGroup.open(dir, RO);
        VecGroup w = VecGroup.open(dir)) {
      assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
      assertThat(r.longVec("a").size()).isEqualTo(w.longVec("a").size());
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("_manifest", "a.vec", "b.vec");
    }
  }
}
