package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vector beyond 2 GiB, and beyond the 1 GiB address reservation a new writable vector starts
 * with, so that growth also remaps: 300 million longs (2.4 GB), written, synced, reopened and
 * checked, then deleted.
 */
class BigVectorIT {
  private static final long N = 300_000_000L;
  private static final int CHUNK = 1 << 20;

  @TempDir Path dir;

  /** The value of element {@code i}: every bit depends on the index, so misplaced data shows. */
  private static long valueAt(long i) {
    long z = i * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 29);
  }

  @Test
  void vectorOf300MillionLongsSurvivesSyncCloseAndReopen() throws IOException {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path path = dir.resolve("big.vec");
    long t0 = System.nanoTime();
    try {
      try (LongVec v = LongVec.open(path, VecOptions.defaults(), Backend.nativeBackend())) {
        long[] chunk = new long[CHUNK];
        for (long at = 0; at < N; at += CHUNK) {
          int n = (int) Math.min(CHUNK, N - at);
          if (n != chunk.length) {
            chunk = new long[n];
          }
          for (int k = 0; k < n; k++) {
            chunk[k] = valueAt(at + k);
          }
          v.addAll(chunk);
        }
        assertThat(v.size()).isEqualTo(N);
        assertThat(v.capacity()).isGreaterThanOrEqualTo(N);
        long t1 = System.nanoTime();
        v.sync();
        long t2 = System.nanoTime();
        System.out.printf(
            "BigVectorIT: filled %,d longs in %d ms, sync took %d ms%n",
            N, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
      }
      assertThat(Files.size(path)).isGreaterThanOrEqualTo(N * Long.BYTES);

      long t3 = System.nanoTime();
      for (boolean readOnly : new boolean[] {true, false}) {
        VecOptions options = VecOptions.defaults().withReadOnly(readOnly);
        try (LongVec v = LongVec.open(path, options, Backend.nativeBackend())) {
          assertThat(v.size()).isEqualTo(N);
          assertThat(v.asSegment().byteSize()).isEqualTo(N * Long.BYTES);
          for (long i = 0; i < 1000; i++) {
            assertThat(v.get(i)).as("element %d", i).isEqualTo(valueAt(i));
            assertThat(v.get(N - 1 - i)).as("element %d", N - 1 - i).isEqualTo(valueAt(N - 1 - i));
          }
          // Across the 2 GiB and 1 GiB boundaries, and a random sample.
          long gib = (1L << 30) / Long.BYTES;
          for (long i : new long[] {gib - 1, gib, 2 * gib - 1, 2 * gib}) {
            assertThat(v.get(i)).as("element %d", i).isEqualTo(valueAt(i));
          }
          SplittableRandom random = new SplittableRandom(readOnly ? 1 : 2);
          for (int s = 0; s < 100_000; s++) {
            long i = random.nextLong(N);
            long actual = v.get(i);
            if (actual != valueAt(i)) {
              assertThat(actual).as("element %d", i).isEqualTo(valueAt(i));
            }
          }
          long[] tail = new long[10];
          v.copyTo(N - 10, tail, 0, 10);
          for (int k = 0; k < 10; k++) {
            assertThat(tail[k]).isEqualTo(valueAt(N - 10 + k));
          }
        }
      }
      System.out.printf(
          "BigVectorIT: reopened and checked twice in %d ms; total %d ms%n",
          (System.nanoTime() - t3) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      Files.deleteIfExists(path);
    }
    assertThat(path).doesNotExist();
  }
}
