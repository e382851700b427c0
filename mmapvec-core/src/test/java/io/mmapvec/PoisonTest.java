package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rule 7: a failed sync poisons the vector (every later write and sync throws until the file is
 * reopened, close still unmaps and unlocks), while a failed growth does not (the vector is
 * unchanged and usable within its capacity). Failures are injected with a {@link
 * CrashHooks.Listener} that throws at one named step.
 */
class PoisonTest {
  @TempDir Path dir;

  private final List<Vec> opened = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    CrashHooks.setListener(null);
    for (Vec v : opened) {
      try {
        v.close();
      } catch (IOException expectedAfterPoison) {
        // Closing a poisoned vector rethrows its failure; it is closed all the same.
      }
    }
  }

  static Stream<Arguments> syncPointsAndBackends() {
    return Stream.of(
            "sync.afterData", "sync.afterFdatasync", "sync.afterSlotWrite", "sync.afterSlotSync")
        .flatMap(p -> Stream.of(Arguments.of(p, "native"), Arguments.of(p, "channel")));
  }

  private static Backend backend(String name) {
    if (name.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    return SyncPolicyChild.backend(name);
  }

  private LongVec open(Path file, Backend backend, SyncPolicy policy) throws IOException {
    LongVec v = LongVec.open(file, VecOptions.defaults().withSyncPolicy(policy), backend);
    opened.add(v);
    return v;
  }

  /**
   * Throws {@code failure} at {@code point} for {@code file}, once, in threads accepted by the
   * filter.
   */
  private static final class FailOnce implements CrashHooks.Listener {
    final String point;
    final Path file;
    final IOException failure;
    final boolean flusherOnly;
    final AtomicBoolean fired = new AtomicBoolean();
    final CountDownLatch firedLatch = new CountDownLatch(1);

    FailOnce(String point, Path file, boolean flusherOnly) {
      this.point = point;
      this.file = file;
      this.flusherOnly = flusherOnly;
      this.failure = new IOException("injected failure at " + point + " (" + file + ")");
    }

    @Override
    public void reached(CrashPoint p, Path f) throws IOException {
      if (p.key().equals(point)
          && f.equals(file)
          && (!flusherOnly || Thread.currentThread().getName().equals("mmapvec-flusher"))
          && fired.compareAndSet(false, true)) {
        firedLatch.countDown();
        throw failure;
      }
    }
  }

  private static long value(long i) {
    return i * 11 + 1;
  }

  /**
   * Every write a {@link LongVec} has, each refused with UncheckedIOException caused by the poison.
   */
  private static void assertEveryWriteRefused(LongVec v, IOException poison) {
    List<ThrowingCallable> writes =
        List.of(
            () -> v.set(0, 1),
            () -> v.add(1),
            () -> v.addAll(new long[] {1, 2}),
            () -> v.insertAt(0, 1),
            () -> v.insertAt(v.size(), 1),
            () -> v.removeAt(0),
            () -> v.swapRemoveAt(0),
            () -> v.removeLast(),
            () -> v.truncate(1),
            () -> v.clear(),
            () -> v.resize(v.size() + 5, 1),
            () -> v.resize(1, 1),
            () -> v.copyFrom(0, new long[] {1}, 0, 1));
    for (int i = 0; i < writes.size(); i++) {
      Throwable t = catchThrowable(writes.get(i));
      assertThat(t).as("write #%d after the poison", i).isInstanceOf(UncheckedIOException.class);
      assertThat(chain(t)).as("write #%d: cause chain", i).contains(poison);
      assertThat(t.getCause()).isInstanceOf(IOException.class);
    }
    for (ThrowingCallable call : List.<ThrowingCallable>of(() -> v.reserve(10), v::shrinkToFit)) {
      Throwable t = catchThrowable(call);
      assertThat(t).isInstanceOfAny(IOException.class, UncheckedIOException.class);
      assertThat(chain(t)).contains(poison);
    }
  }

  private static List<Throwable> chain(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
      out.add(c);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ sync
  // failure

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("syncPointsAndBackends")
  void failedSyncPoisonsUntilReopen(String point, String backendName) throws IOException {
    Backend backend = backend(backendName);
    Path file = dir.resolve("poison.vec");
    LongVec v = open(file, backend, SyncPolicy.manual());
    for (int i = 0; i < 10; i++) {
      v.add(value(i));
    }
    v.sync(); // the last successful sync: 10 elements
    // Appends past the first page (the file grows: fdatasync), a set, a new length: every step of
    // the next sync is reached.
    for (int i = 10; i < 1000; i++) {
      v.add(value(i));
    }
    v.set(0, -1);
    long[] inMemory = v.toArray();
    long syncsBefore = v.stats().syncs();

    FailOnce fail = new FailOnce(point, file, false);
    CrashHooks.setListener(fail);
    assertThatThrownBy(v::sync).isSameAs(fail.failure);
    CrashHooks.setListener(null); // from here on, every failure is the poison's doing
    assertThat(v.stats().syncs()).isEqualTo(syncsBefore);

    assertEveryWriteRefused(v, fail.failure);
    for (int i = 0; i < 2; i++) {
      Throwable t = catchThrowable(v::sync);
      assertThat(t).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
      assertThat(chain(t)).contains(fail.failure);
    }
    // Refused writes changed nothing.
    assertThat(v.toArray()).containsExactly(inMemory);

    Throwable closeFailure = catchThrowable(v::close);
    assertThat(closeFailure).isInstanceOf(IOException.class);
    assertThat(chain(closeFailure)).contains(fail.failure);
    assertThatThrownBy(v::size).isInstanceOf(VecClosedException.class);
    v.close(); // idempotent, even after a failed close

    // Unmapped and unlocked: the file opens at once, in a state the contract allows.
    try (LongVec again = LongVec.open(file, VecOptions.defaults(), backend)) {
      long length = again.size();
      boolean slotWritten = point.startsWith("sync.afterSlot");
      if (slotWritten) {
        // The slot describing the new length went to the file (page cache) before the failure,
        // after the data it describes was durable: the failed sync's state, consistent.
        assertThat(length).isIn(10L, 1000L);
      } else {
        assertThat(length)
            .as("no slot was written: the last successful sync's length")
            .isEqualTo(10);
      }
      long[] got = again.toArray();
      for (int i = 0; i < length; i++) {
        if (i == 0) {
          assertThat(got[0]).isIn(value(0), -1L);
        } else {
          assertThat(got[i]).as("element %d", i).isEqualTo(value(i));
        }
      }
      // The reopened vector is a fresh handle: writes and syncs work again.
      again.add(5);
      again.sync();
    }
  }

  /**
   * The crash contract after a failed sync that shortened the vector: the file reopens with the
   * last successful sync's length (1000) if no slot was written, or the failed sync's (10) if the
   * slot went out before the failure; never anything else, and never a damaged element.
   */
  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("syncPointsAndBackends")
  void failedSyncAfterTruncateReopensInOneOfTheTwoStates(String point, String backendName)
      throws IOException {
    Backend backend = backend(backendName);
    Path file = dir.resolve("shrink.vec");
    LongVec v = open(file, backend, SyncPolicy.manual());
    for (int i = 0; i < 1000; i++) {
      v.add(value(i));
    }
    v.sync();
    v.truncate(10);
    v.reserve(10_000); // so that the next sync has an fdatasync to do too
    v.set(3, -3);

    FailOnce fail = new FailOnce(point, file, false);
    CrashHooks.setListener(fail);
    Throwable t = catchThrowable(v::sync);
    CrashHooks.setListener(null);
    assertThat(fail.fired)
        .as("a sync with a new length, a set and a new file size reaches " + point)
        .isTrue();
    assertThat(t).isSameAs(fail.failure);
    assertThat(catchThrowable(v::close)).isInstanceOf(IOException.class);

    try (LongVec again = LongVec.open(file, VecOptions.defaults(), backend)) {
      long length = again.size();
      if (point.startsWith("sync.afterSlot")) {
        assertThat(length).isIn(10L, 1000L);
      } else {
        assertThat(length).isEqualTo(1000);
      }
      for (int i = 0; i < length; i++) {
        assertThat(again.get(i)).as("element %d", i).isIn(value(i), i == 3 ? -3L : value(i));
      }
    }
  }

  @Test
  void failedSyncOfTheFlusherPoisonsAndTheOwnerSeesItAtItsNextSync() throws Exception {
    Backend backend = backend("native");
    Path file = dir.resolve("flusher.vec");
    FailOnce fail = new FailOnce("sync.afterData", file, true);
    CrashHooks.setListener(fail);
    LongVec v = open(file, backend, SyncPolicy.every(Duration.ofMillis(1)));
    v.add(1);
    v.add(2);
    assertThat(fail.firedLatch.await(60, TimeUnit.SECONDS)).as("the flusher failed").isTrue();
    CrashHooks.setListener(null);

    Throwable t = catchThrowable(v::sync);
    assertThat(t).isInstanceOf(IOException.class);
    assertThat(chain(t)).contains(fail.failure);
    assertEveryWriteRefused(v, fail.failure);
    assertThat(chain(catchThrowable(v::close))).contains(fail.failure);
    try (LongVec again = LongVec.open(file, VecOptions.defaults(), backend)) {
      assertThat(again.size()).isZero(); // the only sync with data failed
    }
  }

  @Test
  void failedSyncOfEveryWritesSurfacesInTheNthCallAndPoisons() throws Exception {
    Backend backend = backend("native");
    Path file = dir.resolve("everyWrites.vec");
    LongVec v = open(file, backend, SyncPolicy.everyWrites(3));
    v.add(1);
    v.add(2);
    FailOnce fail = new FailOnce("sync.afterData", file, false);
    CrashHooks.setListener(fail);
    Throwable t = catchThrowable(() -> v.add(3));
    CrashHooks.setListener(null);
    assertThat(t).isInstanceOf(UncheckedIOException.class);
    assertThat(t.getCause()).isInstanceOf(IOException.class);
    assertThat(chain(t)).contains(fail.failure);
    assertThat(v.toArray()).as("the change came before the sync").containsExactly(1, 2, 3);
    assertEveryWriteRefused(v, fail.failure);
    assertThat(chain(catchThrowable(v::sync))).contains(fail.failure);
  }

  // ------------------------------------------------------------------------------------ growth
  // failure

  static Stream<Arguments> growthPointsAndBackends() {
    return Stream.of("grow.beforeAllocate", "grow.afterAllocate")
        .flatMap(p -> Stream.of(Arguments.of(p, "native"), Arguments.of(p, "channel")));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("growthPointsAndBackends")
  void failedGrowthDoesNotPoison(String point, String backendName) throws IOException {
    Backend backend = backend(backendName);
    Path file = dir.resolve("grow.vec");
    LongVec v = open(file, backend, SyncPolicy.manual());
    while (v.size() < v.capacity()) {
      v.add(value(v.size()));
    }
    v.sync();
    long size = v.size();
    long capacity = v.capacity();
    long[] contents = v.toArray();
    long growths = v.stats().growths();

    IOException injected = new IOException("injected failure at " + point + " (" + file + ")");
    CrashHooks.setListener(
        (p, f) -> {
          if (p.key().equals(point) && f.equals(file)) {
            throw injected;
          }
        });
    List<ThrowingCallable> growingWrites =
        List.of(
            () -> v.add(1),
            () -> v.addAll(new long[] {1, 2}),
            () -> v.insertAt(0, 1),
            () -> v.insertAt(size, 1),
            () -> v.resize(size + 1, 1));
    for (int i = 0; i < growingWrites.size(); i++) {
      Throwable t = catchThrowable(growingWrites.get(i));
      assertThat(t).as("growing write #%d", i).isInstanceOf(UncheckedIOException.class);
      assertThat(t.getCause()).isSameAs(injected);
      assertThat(v.size()).isEqualTo(size);
      assertThat(v.capacity()).isEqualTo(capacity);
      assertThat(v.toArray()).containsExactly(contents);
    }
    assertThatThrownBy(() -> v.reserve(1000)).isSameAs(injected);
    assertThat(v.size()).isEqualTo(size);
    assertThat(v.capacity()).isEqualTo(capacity);
    assertThat(v.toArray()).containsExactly(contents);
    assertThat(v.stats().growths()).isEqualTo(growths);

    // Not poisoned: writes within the capacity and syncs work, with the failure still injected.
    v.set(0, -7);
    v.truncate(size - 3);
    v.add(-1);
    v.add(-2);
    v.add(-3);
    assertThat(v.size()).isEqualTo(capacity);
    long syncs = v.stats().syncs();
    v.sync();
    assertThat(v.stats().syncs()).isEqualTo(syncs + 1);

    // Without the failure, it grows again.
    CrashHooks.setListener(null);
    v.add(-4);
    assertThat(v.capacity()).isGreaterThan(capacity);
    long[] expected = v.toArray();
    v.close();
    try (LongVec again = LongVec.open(file, VecOptions.defaults(), backend)) {
      assertThat(again.toArray()).containsExactly(expected);
    }
  }

  /**
   * A real growth failure from the system, without root: on ext4 a {@code fallocate} past the
   * largest file size (16 TiB) fails at once with EFBIG, allocating nothing. It names the vector's
   * file and does not poison.
   */
  @Test
  void failedFallocateNamesTheFileAndDoesNotPoison() throws IOException {
    Backend backend = backend("native");
    assumeTrue(
        java.nio.file.Files.getFileStore(dir).type().equals("ext4"),
        "needs ext4 for an immediate EFBIG, not " + java.nio.file.Files.getFileStore(dir).type());
    Path file = dir.resolve("efbig.vec");
    LongVec v = open(file, backend, SyncPolicy.manual());
    for (int i = 0; i < 10; i++) {
      v.add(value(i));
    }
    long capacity = v.capacity();
    Throwable t = catchThrowable(() -> v.reserve(3L << 41)); // 48 TiB
    assertThat(t).isInstanceOf(NativeCallException.class);
    NativeCallException e = (NativeCallException) t;
    assertThat(e.function()).isEqualTo("fallocate");
    assertThat(e.errnoName()).isEqualTo("EFBIG");
    assertThat(v.size()).isEqualTo(10);
    assertThat(v.capacity()).isEqualTo(capacity);
    v.add(value(10));
    v.sync();
    assertThat(e.file()).as("the file named by the failure").isEqualTo(file);
    assertThat(e.getMessage()).contains(file.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void poisonedVectorCloseReleasesTheFileEvenForAnotherProcess(String backendName)
      throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("release.vec");
    LongVec v = open(file, backend, SyncPolicy.manual());
    v.add(1);
    FailOnce fail = new FailOnce("sync.afterData", file, false);
    CrashHooks.setListener(fail);
    assertThatThrownBy(v::sync).isSameAs(fail.failure);
    CrashHooks.setListener(null);
    assertThat(catchThrowable(v::close)).isInstanceOf(IOException.class);
    // Another process can take the write lock at once.
    try (ChildJvm child =
        ChildJvm.start(dir, "after-poison", Holder.class, file.toString(), "rw", backendName)) {
      String line = child.awaitLine("READY", "LOCKED", "FORMAT", "ERROR");
      assertThat(line).as(child.transcript()).startsWith("READY");
    }
  }
}
