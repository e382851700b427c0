package io.mmapvec.bench;

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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workloads B (random get) and D (sequential scan) over a store of {@code n} longs of each
 * contender ({@link Contenders}), filled and synced in the trial setup so that its pages are in the
 * page cache. {@code mmapvec} is the writable vector that was filled, {@code mmapvecRO} the same
 * file reopened read-only. Scores are ns per element.
 *
 * <p>The scan is the loop users write: {@code for (long i = 0; i < s.size(); i++) sum += s.get(i)},
 * with {@code size()} called on every pass. Random get walks a fixed sequence of {@value #INDICES}
 * random indices (fixed seed), summing.
 *
 * <p>MapDB and lmdbjava: run with a smaller {@code n} next to {@code longArray} and {@code mmapvec}
 * ({@code -p impl=longArray,mmapvec,mapdb,lmdb -p n=1000000}); their default is left out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      PeerFlags.NATIVE,
      PeerFlags.UNSAFE,
      PeerFlags.OPEN_NIO,
      PeerFlags.OPEN_NIO_CH,
      PeerFlags.OPEN_LANG,
      PeerFlags.OPEN_REFLECT,
      PeerFlags.OPEN_UTIL,
      PeerFlags.EXPORT_REF,
      PeerFlags.EXPORT_NIO_CH,
      PeerFlags.EXPORT_MISC,
      "-Xms2g",
      "-Xmx2g"
    })
public class PeerReadBench {
  /** Random indices walked per invocation. */
  static final int INDICES = 1 << 20;

  /** The contender. */
  @Param({
    "longArray",
    "fastutil",
    "mmapvec",
    "mmapvecRO",
    "segment",
    "mappedBuffer",
    "chronicle",
    "agrona"
  })
  public String impl;

  /** Elements in the store. */
  @Param({"16777216"})
  public long n;

  private Path dir;
  private LongStore store;
  private int[] indices;

  /** Creates the benchmark; JMH calls this. */
  public PeerReadBench() {}

  /**
   * Fills the store and draws the index sequence.
   *
   * @throws IOException if the store cannot be created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = BenchFiles.newDirectory("mmapvec-bench-peer-read-");
    store = Contenders.filled(impl, dir, n);
    indices = randomIndices(n);
  }

  /** {@return {@value #INDICES} random indices below {@code n}, always the same ones} */
  static int[] randomIndices(long n) {
    SplittableRandom random = new SplittableRandom(20240611L);
    int[] ix = new int[INDICES];
    for (int k = 0; k < INDICES; k++) {
      ix[k] = (int) random.nextLong(n);
    }
    return ix;
  }

  /**
   * Closes the store and deletes its files.
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (store != null) {
      store.close();
    }
    BenchFiles.deleteTree(dir);
  }

  /** {@return the sum of the elements at the random indices} */
  @Benchmark
  @OperationsPerInvocation(INDICES)
  public long randomGet() {
    LongStore s = store;
    int[] ix = indices;
    long sum = 0;
    for (int k = 0; k < ix.length; k++) {
      sum += s.get(ix[k]);
    }
    return sum;
  }

  /**
   * {@return the sum of all elements, by the loop users write} Score per element: JMH divides by
   * the {@code @OperationsPerInvocation}, which must match {@code n}; bench/format.py rescales when
   * {@code n} is given another value.
   */
  @Benchmark
  @OperationsPerInvocation(16777216)
  public long scan() {
    LongStore s = store;
    long sum = 0;
    for (long i = 0; i < s.size(); i++) {
      sum += s.get(i);
    }
    return sum;
  }
}
