package io.mmapvec.bench;

import io.mmapvec.LongVec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@code sync()} after {@code k} random {@code set}s, on vectors of 64 MiB and 4 GiB:
 * it should grow with {@code k} (the pages to write), not with the file size. One operation of
 * {@link #setsThenSync()} is k sets at random indices plus one sync; {@link #setsOnly()} is the
 * same k sets without the sync, so the difference is the sync's share.
 *
 * <p>Each trial creates its own vector (reserve, then {@code resize(n, fill)}: one allocation and
 * one doubling copy, not n appends), syncs it so that no page is dirty when measuring, and deletes
 * it afterwards. The file goes under {@code java.io.tmpdir} (or {@code -Dmmapvec.bench.dir}); put
 * it on a real disk, since a sync to tmpfs costs next to nothing. A 4 GiB trial needs 4 GiB of free
 * disk and of page cache, and its setup writes the whole file once (seconds).
 *
 * <p>Note that the vector tracks one dirty range, [lowest, highest] set index: for k random sets it
 * spans almost the whole vector, and {@code msync} is asked for all of it. The kernel finds the
 * dirty pages through the page cache's dirty tags, so the cost still follows k.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SyncCostBench {
  /** The vector's data size: {@code 64M} or {@code 4G} bytes of longs. */
  @Param({"64M", "4G"})
  public String size;

  /** How many random sets come before each sync. */
  @Param({"1", "16", "256", "4096"})
  public int k;

  /**
   * Where the random indices fall: {@code whole} (the default) anywhere in the vector; {@code 64M}
   * within its first 64 MiB, which separates the effect of the file size from that of the device's
   * locality ({@code -p size=4G -p span=64M}).
   */
  @Param({"whole"})
  public String span;

  private Path dir;
  private LongVec vec;
  private long n;
  private long bound;
  private SplittableRandom random;
  private long counter;

  /** Creates the benchmark state; JMH calls this. */
  public SyncCostBench() {}

  /**
   * Creates and fills the vector, and makes it durable, so that measuring starts with no dirty
   * page.
   *
   * @throws IOException if the vector file cannot be created, filled or synced
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    n =
        switch (size) {
          case "64M" -> (64L << 20) / Long.BYTES;
          case "4G" -> (4L << 30) / Long.BYTES;
          default -> throw new IllegalArgumentException("size " + size);
        };
    dir = BenchFiles.newDirectory("mmapvec-bench-sync-");
    vec = LongVec.open(dir.resolve("sync.vec"));
    vec.reserve(n);
    vec.resize(n, BenchFiles.valueAt(1));
    vec.sync();
    bound =
        switch (span) {
          case "whole" -> n;
          case "64M" -> Math.min(n, (64L << 20) / Long.BYTES);
          default -> throw new IllegalArgumentException("span " + span);
        };
    random = new SplittableRandom(20240611L ^ k);
  }

  /**
   * Closes and deletes the vector.
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (vec != null) {
      vec.close();
    }
    BenchFiles.deleteTree(dir);
  }

  private void randomSets() {
    LongVec v = vec;
    SplittableRandom r = random;
    long bound = this.bound;
    long c = counter;
    for (int j = 0; j < k; j++) {
      v.set(r.nextLong(bound), c++);
    }
    counter = c;
  }

  /**
   * k random sets, then a sync.
   *
   * @throws IOException if the sync fails
   */
  @Benchmark
  public void setsThenSync() throws IOException {
    randomSets();
    vec.sync();
  }

  /** The same k random sets without the sync: the baseline. */
  @Benchmark
  public void setsOnly() {
    randomSets();
  }
}
