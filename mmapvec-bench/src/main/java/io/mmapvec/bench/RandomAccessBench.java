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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Random {@code get} and {@code set} on a {@link LongVec} of 16M elements (128 MiB) against a
 * {@code long[]} of the same size, in the same JVM, with the same precomputed sequence of 1M random
 * indices. Each invocation walks the whole index sequence; scores are ns per element.
 *
 * <p>The vector is opened writable (as an application updating in place would) and pre-filled in
 * the trial setup, so the file's pages are resident in the page cache before measuring.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RandomAccessBench {
  /** Elements in the vector and the array: 16M longs, 128 MiB. */
  static final int N = 1 << 24;

  /** Length of the random index sequence every benchmark walks. */
  static final int INDICES = 1 << 20;

  private Path dir;
  private LongVec vec;
  private long[] array;
  private int[] indices;

  /** Creates the benchmark state; JMH calls this. */
  public RandomAccessBench() {}

  /**
   * Fills the vector and the array with the same values and draws the index sequence.
   *
   * @throws IOException if the vector file cannot be created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    array = new long[N];
    for (int i = 0; i < N; i++) {
      array[i] = BenchFiles.valueAt(i);
    }
    dir = BenchFiles.newDirectory("mmapvec-bench-random-");
    vec = LongVec.open(dir.resolve("random.vec"));
    vec.reserve(N);
    vec.addAll(array);
    vec.sync();
    SplittableRandom random = new SplittableRandom(20240611L);
    indices = new int[INDICES];
    for (int k = 0; k < INDICES; k++) {
      indices[k] = random.nextInt(N);
    }
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

  /** {@return the sum of the vector's elements at the random indices} */
  @Benchmark
  @OperationsPerInvocation(INDICES)
  public long vecGet() {
    LongVec v = vec;
    int[] ix = indices;
    long sum = 0;
    for (int k = 0; k < ix.length; k++) {
      sum += v.get(ix[k]);
    }
    return sum;
  }

  /** {@return the sum of the array's elements at the random indices} */
  @Benchmark
  @OperationsPerInvocation(INDICES)
  public long arrayGet() {
    long[] a = array;
    int[] ix = indices;
    long sum = 0;
    for (int k = 0; k < ix.length; k++) {
      sum += a[ix[k]];
    }
    return sum;
  }

  /** Stores into the vector at the random indices. */
  @Benchmark
  @OperationsPerInvocation(INDICES)
  public void vecSet() {
    LongVec v = vec;
    int[] ix = indices;
    for (int k = 0; k < ix.length; k++) {
      v.set(ix[k], k);
    }
  }

  /** Stores into the array at the random indices. */
  @Benchmark
  @OperationsPerInvocation(INDICES)
  public void arraySet() {
    long[] a = array;
    int[] ix = indices;
    for (int k = 0; k < ix.length; k++) {
      a[ix[k]] = k;
    }
  }
}
