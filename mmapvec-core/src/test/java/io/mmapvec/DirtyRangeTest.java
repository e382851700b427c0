package io.mmapvec;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sync's cost follows the change, not the file: measured by {@link VecStats#bytesSynced()} (data
 * and header bytes handed to {@code msync}, page-rounded) and {@link VecStats#syncs()}, never by
 * time.
 */
class DirtyRangeTest {
  /** 64 MiB of longs. */
  private static final long BIG = 8L << 20;

  private static final long E = Long.BYTES;

  @TempDir Path dir;

  private final List<Vec> opened = new ArrayList<>();
  private long page;

  @BeforeEach
  void nativeBackend() {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    page = Backend.nativeBackend().pageSize();
  }

  @AfterEach
  void cleanUp() throws IOException {
    CrashHooks.setListener(null);
    for (Vec v : opened) {
      v.close();
    }
  }

  private LongVec open(String name) throws IOException {
    return open(name, VecOptions.defaults());
  }

  private LongVec open(String name, VecOptions options) throws IOException {
    LongVec v = LongVec.open(dir.resolve(name), options, Backend.nativeBackend());
    opened.add(v);
    return v;
  }

  /** A synced vector of {@code n} elements, every one distinct. */
  private LongVec filled(String name, long n) throws IOException {
    LongVec v = open(name);
    v.reserve(n);
    v.resize(n, 0);
    MemorySegment data = v.asSegment(); // fill fast; the view makes syncs whole-range from here
    for (long i = 0; i < n; i++) {
      data.setAtIndex(JAVA_LONG, i, i + 1);
    }
    v.close();
    opened.remove(v);
    LongVec again = open(name); // a fresh handle: no views out, nothing dirty
    assertThat(again.size()).isEqualTo(n);
    return again;
  }

  /** {@return the page-rounded bytes of the file holding elements {@code [from, to)}} */
  private long pagesSpanning(long from, long to) {
    long start = HeaderFormat.DATA_OFFSET + from * E;
    long end = HeaderFormat.DATA_OFFSET + to * E;
    return (end + page - 1) / page * page - start / page * page;
  }

  private record Delta(long syncs, long bytes) {}

  private static Delta delta(VecStats before, VecStats after) {
    return new Delta(after.syncs() - before.syncs(), after.bytesSynced() - before.bytesSynced());
  }

  // ------------------------------------------------------------------------------------------

  @Test
  void syncWithNothingDirtyWritesNothing() throws IOException {
    LongVec v = open("clean.vec");
    VecStats fresh = v.stats();
    v.sync();
    assertThat(delta(fresh, v.stats())).isEqualTo(new Delta(0, 0));

    for (int i = 0; i < 5000; i++) {
      v.add(i);
    }
    v.set(3, 9);
    v.sync();
    VecStats synced = v.stats();
    assertThat(synced.syncs()).isEqualTo(1);
    assertThat(synced.bytesSynced()).isPositive();
    v.sync();
    v.sync();
    assertThat(delta(synced, v.stats())).isEqualTo(new Delta(0, 0));
    // Reads and a truncate that shortens nothing change nothing either.
    v.get(4);
    v.truncate(v.size() + 10);
    v.sync();
    assertThat(delta(synced, v.stats())).isEqualTo(new Delta(0, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 16, 256})
  void closeSetsInABigVectorSyncOnlyTheirPages(int k) throws IOException {
    LongVec v = filled("close-" + k + ".vec", BIG);
    SplittableRandom random = new SplittableRandom(k);
    for (int round = 0; round < 5; round++) {
      // k sets within 512 elements (4 KiB), somewhere in the 64 MiB.
      long base = random.nextLong(BIG - 512);
      long lo = Long.MAX_VALUE;
      long hi = 0;
      for (int j = 0; j < k; j++) {
        long i = base + random.nextLong(512);
        v.set(i, -i);
        lo = Math.min(lo, i);
        hi = Math.max(hi, i + 1);
      }
      VecStats before = v.stats();
      v.sync();
      Delta d = delta(before, v.stats());
      assertThat(d.syncs()).isEqualTo(1);
      assertThat(d.bytes())
          .as("bytes synced for %d sets in [%d, %d) of %d elements", k, lo, hi, BIG)
          // The data pages, plus the commit slot's page: an in-place change is a commit that
          // bumps the rewrite counter, so live readers learn of it.
          .isBetween(2 * page, pagesSpanning(lo, hi) + page)
          .isLessThanOrEqualTo(3 * page);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 16, 256})
  void spreadSetsSyncAtMostTheRangeTheySpan(int k) throws IOException {
    LongVec v = filled("spread-" + k + ".vec", BIG);
    SplittableRandom random = new SplittableRandom(31 * k);
    for (int round = 0; round < 5; round++) {
      long width = 1 + random.nextLong(BIG / 4);
      long base = random.nextLong(BIG - width);
      long lo = Long.MAX_VALUE;
      long hi = 0;
      for (int j = 0; j < k; j++) {
        long i = base + random.nextLong(width);
        v.set(i, -i);
        lo = Math.min(lo, i);
        hi = Math.max(hi, i + 1);
      }
      VecStats before = v.stats();
      v.sync();
      Delta d = delta(before, v.stats());
      assertThat(d.syncs()).isEqualTo(1);
      assertThat(d.bytes())
          .as("bytes synced for %d sets in [%d, %d)", k, lo, hi)
          .isBetween(2 * page, pagesSpanning(lo, hi) + page); // data pages + the slot's page
    }
    VecStats before = v.stats();
    v.sync();
    assertThat(delta(before, v.stats())).isEqualTo(new Delta(0, 0));
  }

  @Test
  void appendsSyncOnlyTheAppendedRangeAndTheSlot() throws IOException {
    LongVec v = filled("append.vec", 1 << 20); // 8 MiB
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 10; round++) {
      long from = v.size();
      int m = 1 + random.nextInt(3000);
      for (int j = 0; j < m; j++) {
        v.add(j);
      }
      VecStats before = v.stats();
      v.sync();
      Delta d = delta(before, v.stats());
      assertThat(d.syncs()).isEqualTo(1);
      assertThat(d.bytes())
          .as("bytes synced after %d appends at %d", m, from)
          .isBetween(m * E, pagesSpanning(from, from + m) + page);
    }
    // addAll is an append too.
    long from = v.size();
    v.addAll(new long[1000]);
    VecStats before = v.stats();
    v.sync();
    assertThat(delta(before, v.stats()).bytes())
        .isBetween(1000 * E, pagesSpanning(from, from + 1000) + page);
  }

  @Test
  void truncateSyncsOnlyTheSlot() throws IOException {
    LongVec v = filled("truncate.vec", 1 << 20);
    VecStats before = v.stats();
    v.truncate(1000);
    v.sync();
    Delta d = delta(before, v.stats());
    assertThat(d.syncs()).isEqualTo(1);
    assertThat(d.bytes()).isBetween(HeaderFormat.SLOT_BYTES, page);
  }

  @Test
  void afterAsSegmentASyncCoversTheWholeDataRange() throws IOException {
    long n = 1 << 20;
    LongVec v = filled("view.vec", n);
    v.set(5, 5);
    VecStats before = v.stats();
    v.sync();
    assertThat(delta(before, v.stats()).bytes()).isLessThanOrEqualTo(2 * page); // + the slot

    MemorySegment view = v.asSegment();
    view.setAtIndex(JAVA_LONG, n - 1, 4242); // a write the vector cannot see
    before = v.stats();
    v.sync();
    Delta d = delta(before, v.stats());
    assertThat(d.syncs()).isEqualTo(1);
    assertThat(d.bytes()).as("sync after asSegment()").isGreaterThanOrEqualTo(n * E);

    // Still whole-range: the view may have been written again since.
    view.setAtIndex(JAVA_LONG, 0, 4343);
    before = v.stats();
    v.sync();
    assertThat(delta(before, v.stats()).bytes()).isGreaterThanOrEqualTo(n * E);

    v.close();
    try (LongVec again =
        LongVec.open(dir.resolve("view.vec"), VecOptions.defaults(), Backend.nativeBackend())) {
      assertThat(again.get(n - 1)).isEqualTo(4242);
      assertThat(again.get(0)).isEqualTo(4343);
    }
  }

  @Test
  void readOnlySyncIsANoOp() throws IOException {
    LongVec w = open("ro.vec");
    for (int i = 0; i < 100; i++) {
      w.add(i);
    }
    w.close();
    opened.remove(w);

    Path file = dir.resolve("ro.vec");
    AtomicInteger points = new AtomicInteger();
    CrashHooks.setListener(
        (point, f) -> {
          if (f.equals(file)) {
            points.incrementAndGet();
          }
        });
    LongVec r = open("ro.vec", VecOptions.defaults().withReadOnly(true));
    r.asSegment();
    r.sync();
    r.sync();
    VecStats s = r.stats();
    assertThat(s.syncs()).isZero();
    assertThat(s.bytesSynced()).isZero();
    assertThat(points.get()).as("crash points reached by a read-only sync").isZero();
    r.close();
    assertThat(points.get()).as("crash points reached by a read-only close").isZero();
  }
}
