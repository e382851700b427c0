package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
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
 * Sequential scan (sum of all elements) of a {@link LongVec} of 16M elements (128 MiB) three ways —
 * a {@code get(i)} loop, {@code forEach}, and {@code asSegment()} with {@code getAtIndex} — against
 * a {@code long[]} loop over the same values, in the same JVM. Scores are ns per element.
 *
 * <p>The vector is written once, closed, and reopened read-only, the way an analysis job reads a
 * finished file; its pages are in the page cache.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ScanBench {
  /** Elements in the vector and the array: 16M longs, 128 MiB. */
  static final int N = 1 << 24;

  private Path dir;
  private LongVec vec;
  private long[] array;

  /** Creates the benchmark state; JMH calls this. */
  public ScanBench() {}

  /**
   * Writes the vector, reopens it read-only, and fills the array with the same values.
   *
   * @throws IOException if the vector file cannot be written or opened
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    array = new long[N];
    for (int i = 0; i < N; i++) {
      array[i] = BenchFiles.valueAt(i);
    }
    dir = BenchFiles.newDirectory("mmapvec-bench-scan-");
    Path file = dir.resolve("scan.vec");
    try (LongVec w = LongVec.open(file)) {
      w.reserve(N);
      w.addAll(array);
    }
    vec = LongVec.open(file, VecOptions.defaults().withReadOnly(true));
    if (vec.size() != N || vecGetLoop() != arrayLoop()) {
      throw new IllegalStateException("the vector does not hold what was written");
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

  /** {@return the sum, by {@code get(i)} for every index} */
  @Benchmark
  @OperationsPerInvocation(N)
  public long vecGetLoop() {
    LongVec v = vec;
    long n = v.size();
    long sum = 0;
    for (long i = 0; i < n; i++) {
      sum += v.get(i);
    }
    return sum;
  }

  /** {@return the sum, by {@code forEach}} */
  @Benchmark
  @OperationsPerInvocation(N)
  public long vecForEach() {
    Sum sum = new Sum();
    vec.forEach(sum);
    return sum.total;
  }

  /** {@return the sum, by {@code getAtIndex} on the segment from {@code asSegment()}} */
  @Benchmark
  @OperationsPerInvocation(N)
  public long vecSegment() {
    MemorySegment s = vec.asSegment();
    long n = s.byteSize() / Long.BYTES;
    long sum = 0;
    for (long i = 0; i < n; i++) {
      sum += s.getAtIndex(ValueLayout.JAVA_LONG, i);
    }
    return sum;
  }

  /** {@return the sum of the array, by index} */
  @Benchmark
  @OperationsPerInvocation(N)
  public long arrayLoop() {
    long[] a = array;
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i];
    }
    return sum;
  }

  /** The accumulator for {@link #vecForEach()}. */
  static final class Sum implements LongConsumer {
    long total;

    @Override
    public void accept(long value) {
      total += value;
    }
  }
}
