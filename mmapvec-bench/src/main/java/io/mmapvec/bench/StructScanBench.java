package io.mmapvec.bench;

import io.mmapvec.DoubleVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Column scan of a record vector: the sum of the {@code price} field of 16M {@link Tick} records
 * (24 bytes each, 384 MiB) through {@link StructVec.DoubleField#get(long)}, against the sum of a
 * {@link DoubleVec} of 16M values (128 MiB) through {@code get(i)}, in the same JVM. Scores are ns
 * per element; the target is {@code fieldGetDouble} within 1.2x of {@code doubleVecGet}.
 *
 * <p>Both files are written once, closed, and reopened read-only; their pages are in the page
 * cache. Both sums add the same values in the same order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class StructScanBench {
  /** Elements in each vector: 16M. */
  static final int N = 1 << 24;

  /**
   * The benchmark's record: a trade tick, laid out as {@code struct { int64_t time; double price;
   * int32_t qty; }} (24 bytes).
   *
   * @param time the time, epoch nanoseconds
   * @param price the price
   * @param qty the quantity
   */
  public record Tick(long time, double price, int qty) {}

  private Path dir;
  private StructVec<Tick> ticks;
  private StructVec.DoubleField price;
  private DoubleVec prices;

  /** Creates the benchmark state; JMH calls this. */
  public StructScanBench() {}

  /** {@return the price stored at {@code index} in both vectors} */
  static double priceAt(long index) {
    return (BenchFiles.valueAt(index) >>> 40) * 0.25;
  }

  /**
   * Writes both vectors, reopens them read-only and checks that both sums agree.
   *
   * @throws IOException if a vector file cannot be written or opened
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = BenchFiles.newDirectory("mmapvec-bench-structscan-");
    Path tickFile = dir.resolve("ticks.vec");
    Path priceFile = dir.resolve("prices.vec");
    try (StructVec<Tick> w = StructVec.open(tickFile, Tick.class);
        DoubleVec d = DoubleVec.open(priceFile)) {
      w.reserve(N);
      d.reserve(N);
      List<Tick> batch = new ArrayList<>(1 << 16);
      double[] values = new double[1 << 16];
      for (int i = 0; i < N; i += values.length) {
        batch.clear();
        for (int k = 0; k < values.length; k++) {
          values[k] = priceAt(i + k);
          batch.add(new Tick(i + k, values[k], k));
        }
        w.addAll(batch);
        d.addAll(values);
      }
    }
    VecOptions readOnly = VecOptions.defaults().withReadOnly(true);
    ticks = StructVec.open(tickFile, Tick.class, readOnly);
    price = ticks.doubleField("price");
    prices = DoubleVec.open(priceFile, readOnly);
    if (ticks.size() != N || prices.size() != N || fieldGetDouble() != doubleVecGet()) {
      throw new IllegalStateException("the vectors do not hold what was written");
    }
  }

  /**
   * Closes and deletes both vectors.
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (ticks != null) {
      ticks.close();
    }
    if (prices != null) {
      prices.close();
    }
    BenchFiles.deleteTree(dir);
  }

  /** {@return the sum of the prices, by {@code DoubleField.get(i)} over the record vector} */
  @Benchmark
  @OperationsPerInvocation(N)
  public double fieldGetDouble() {
    StructVec.DoubleField f = price;
    long n = ticks.size();
    double sum = 0;
    for (long i = 0; i < n; i++) {
      sum += f.get(i);
    }
    return sum;
  }

  /** {@return the sum of the prices, by {@code get(i)} over the {@code DoubleVec}} */
  @Benchmark
  @OperationsPerInvocation(N)
  public double doubleVecGet() {
    DoubleVec v = prices;
    long n = v.size();
    double sum = 0;
    for (long i = 0; i < n; i++) {
      sum += v.get(i);
    }
    return sum;
  }
}
