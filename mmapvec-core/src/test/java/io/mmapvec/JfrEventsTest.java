package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK Flight Recorder events {@code io.mmapvec.Sync} and {@code io.mmapvec.Growth}: recorded,
 * dumped to a file and read back with {@link RecordingFile}, with their fields and plausible
 * values.
 */
class JfrEventsTest {
  private static final String SYNC = "io.mmapvec.Sync";
  private static final String GROWTH = "io.mmapvec.Growth";

  @TempDir Path dir;

  private static Backend backend(String name) {
    if (name.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    return SyncPolicyChild.backend(name);
  }

  private List<RecordedEvent> record(Path dump, ThrowingRunnable work) throws Exception {
    try (Recording r = new Recording()) {
      r.enable(SYNC).withThreshold(Duration.ZERO);
      r.enable(GROWTH).withThreshold(Duration.ZERO);
      r.start();
      work.run();
      r.stop();
      r.dump(dump);
    }
    return RecordingFile.readAllEvents(dump).stream()
        .filter(e -> e.getEventType().getName().startsWith("io.mmapvec."))
        .toList();
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name, Path file) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .filter(e -> e.getString("path").equals(file.toString()))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void growthAndSyncAreRecordedWithTheirFields(String backendName) throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("jfr-" + backendName + ".vec");
    long[] stats = new long[4];
    Instant before = Instant.now();
    List<RecordedEvent> events =
        record(
            dir.resolve("rec-" + backendName + ".jfr"),
            () -> {
              try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
                for (int i = 0; i < 3000; i++) { // 24000 bytes: three growths from one page
                  v.add(i);
                }
                v.sync(); // explicit, file size changed, length 3000
                v.set(7, 7);
                v.sync(); // explicit, one page, length unchanged
                v.sync(); // nothing to write: no event
                v.add(1); // the close sync commits 3001
                VecStats s = v.stats();
                stats[0] = s.growths();
                stats[1] = s.syncs();
                stats[2] = s.remaps();
                stats[3] = s.bytesSynced();
              }
            });

    List<RecordedEvent> growths = named(events, GROWTH, file);
    assertThat(growths).hasSize((int) stats[0]).hasSizeGreaterThanOrEqualTo(3);
    long previous = 0;
    for (RecordedEvent g : growths) {
      long oldBytes = g.getLong("oldBytes");
      long newBytes = g.getLong("newBytes");
      assertThat(oldBytes).isGreaterThanOrEqualTo(previous).isGreaterThan(0);
      assertThat(newBytes).isGreaterThan(oldBytes);
      assertThat(newBytes % backend.pageSize()).isZero();
      previous = newBytes;
      // The native backend grows beneath its address reservation; the fallback remaps each time.
      assertThat(g.getBoolean("remapped")).isEqualTo(backendName.equals("channel"));
      assertThat(g.getDuration().isNegative()).isFalse();
    }
    assertThat(growths.getLast().getLong("newBytes"))
        .isGreaterThanOrEqualTo(65536 + 3001L * Long.BYTES);
    assertThat(growths.stream().filter(g -> g.getBoolean("remapped")).count()).isEqualTo(stats[2]);

    List<RecordedEvent> syncs = named(events, SYNC, file);
    assertThat(syncs).hasSize(3);
    RecordedEvent first = syncs.get(0);
    assertThat(first.getString("trigger")).isEqualTo("explicit");
    assertThat(first.getLong("committedSize")).isEqualTo(3000);
    assertThat(first.getBoolean("fileSizeChanged")).isTrue();
    assertThat(first.getLong("dataBytes")).isGreaterThanOrEqualTo(3000L * Long.BYTES);
    RecordedEvent second = syncs.get(1);
    assertThat(second.getString("trigger")).isEqualTo("explicit");
    assertThat(second.getLong("committedSize")).isEqualTo(3000);
    assertThat(second.getBoolean("fileSizeChanged")).isFalse();
    // One data page and the commit slot's page (an in-place change bumps the rewrite counter).
    assertThat(second.getLong("dataBytes")).isBetween(1L, 2L * backend.pageSize());
    RecordedEvent atClose = syncs.get(2);
    assertThat(atClose.getString("trigger")).isEqualTo("close");
    assertThat(atClose.getLong("committedSize")).isEqualTo(3001);
    assertThat(atClose.getLong("dataBytes")).isPositive();
    Instant after = Instant.now();
    Instant earliest = before.minusSeconds(1); // JFR's clock and Instant.now() may differ slightly
    for (RecordedEvent e : syncs) {
      assertThat(e.getDuration().isNegative()).isFalse();
      assertThat(e.getStartTime()).isAfterOrEqualTo(earliest).isBefore(after.plusSeconds(1));
      earliest = e.getStartTime(); // the three syncs were made one after another
    }
    // The events and the stats tell the same story (stats were read before the close sync).
    assertThat(syncs.subList(0, 2).stream().mapToLong(e -> e.getLong("dataBytes")).sum())
        .isEqualTo(stats[3]);
    assertThat(stats[1]).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"everyWrites:4", "every:1"})
  void policySyncsNameTheirTrigger(String policy) throws Exception {
    Backend backend = backend("native");
    Path file = dir.resolve("trigger.vec");
    String trigger = policy.substring(0, policy.indexOf(':'));
    List<RecordedEvent> events =
        record(
            dir.resolve("trigger.jfr"),
            () -> {
              VecOptions options =
                  VecOptions.defaults().withSyncPolicy(SyncPolicyChild.policy(policy));
              try (LongVec v = LongVec.open(file, options, backend)) {
                for (int i = 0; i < 8; i++) {
                  v.add(i);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (v.stats().syncs() == 0 && System.nanoTime() < deadline) {
                  Thread.sleep(2);
                }
              }
            });
    List<RecordedEvent> syncs = named(events, SYNC, file);
    assertThat(syncs).extracting(e -> e.getString("trigger")).contains(trigger);
    RecordedEvent e =
        syncs.stream()
            .filter(s -> s.getString("trigger").equals(trigger))
            .findFirst()
            .orElseThrow();
    assertThat(e.getLong("committedSize")).isBetween(1L, 8L);
    assertThat(e.getLong("dataBytes")).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "channel"})
  void shrinkToFitIsRecordedAsAGrowthToASmallerSize(String backendName) throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("shrink.vec");
    List<RecordedEvent> events =
        record(
            dir.resolve("shrink.jfr"),
            () -> {
              try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
                v.reserve(100_000);
                v.add(1);
                v.shrinkToFit();
              }
            });
    List<RecordedEvent> growths = named(events, GROWTH, file);
    RecordedEvent shrink = growths.getLast();
    assertThat(shrink.getLong("newBytes")).isLessThan(shrink.getLong("oldBytes"));
    assertThat(shrink.getBoolean("remapped")).isTrue();
    assertThat(named(events, SYNC, file))
        .extracting(e -> e.getString("trigger"))
        .contains("shrink");
  }
}
