package io.mmapvec.bench;

import java.io.IOException;
import java.nio.file.Path;
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
 * Workload C: random {@code set} over a store of {@code n} longs of each writable contender ({@link
 * Contenders}), with the same index sequence as {@link PeerReadBench}. Scores are ns per element.
 * MapDB and lmdbjava as in {@link PeerReadBench}: smaller {@code n}, run separately.
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
public class PeerWriteBench {
  /** The contender. */
  @Param({"longArray", "fastutil", "mmapvec", "segment", "mappedBuffer", "chronicle", "agrona"})
  public String impl;

  /** Elements in the store. */
  @Param({"16777216"})
  public long n;

  private Path dir;
  private LongStore store;
  private int[] indices;

  /** Creates the benchmark; JMH calls this. */
  public PeerWriteBench() {}

  /**
   * Fills the store and draws the index sequence.
   *
   * @throws IOException if the store cannot be created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = BenchFiles.newDirectory("mmapvec-bench-peer-write-");
    store = Contenders.filled(impl, dir, n);
    indices = PeerReadBench.randomIndices(n);
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

  /** Stores the loop counter at each random index. */
  @Benchmark
  @OperationsPerInvocation(PeerReadBench.INDICES)
  public void randomSet() {
    LongStore s = store;
    int[] ix = indices;
    for (int k = 0; k < ix.length; k++) {
      s.set(ix[k], k);
    }
  }
}
