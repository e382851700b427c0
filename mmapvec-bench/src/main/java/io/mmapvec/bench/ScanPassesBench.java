package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Path;
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
 * The first passes of the loop users write, {@code for (long i = 0; i < v.size(); i++) sum +=
 * v.get(i)}, over 20M longs, each pass one shot with no warm-up: how soon a fresh JVM reaches array
 * speed on a writable and on a read-only {@link LongVec}, against the same loop over a {@code
 * long[]}. JSON keeps every pass; bench/format.py tabulates passes 1, 2, 3, 5, 10 and 15.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 15)
@Fork(
    value = 1,
    jvmArgsAppend = {PeerFlags.NATIVE})
public class ScanPassesBench {
  /** Longs scanned per pass. */
  static final int N = 20_000_000;

  /** Creates the benchmark; JMH calls this. */
  public ScanPassesBench() {}

  /** The array. */
  @State(Scope.Thread)
  public static class Array {
    long[] array;

    /** Creates the state; JMH calls this. */
    public Array() {}

    /** Fills the array. */
    @Setup(Level.Trial)
    public void setUp() {
      array = new long[N];
      for (int i = 0; i < N; i++) {
        array[i] = BenchFiles.valueAt(i);
      }
    }
  }

  /** The vector, writable as filled or reopened read-only. */
  @State(Scope.Thread)
  public static class Vector {
    /** Whether the vector is reopened read-only after filling. */
    @Param({"false", "true"})
    public boolean readOnly;

    private Path dir;
    LongVec vec;

    /** Creates the state; JMH calls this. */
    public Vector() {}

    /**
     * Fills the vector (one {@code addAll}, so that the loop under test is not warmed up).
     *
     * @throws IOException if it cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-passes-");
      Path file = dir.resolve("passes.vec");
      long[] values = new long[N];
      for (int i = 0; i < N; i++) {
        values[i] = BenchFiles.valueAt(i);
      }
      vec = LongVec.open(file);
      vec.reserve(N);
      vec.addAll(values);
      vec.sync();
      if (readOnly) {
        vec.close();
        vec = LongVec.open(file, VecOptions.defaults().withReadOnly(true));
      }
    }

    /**
     * Closes and deletes the vector.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      vec.close();
      BenchFiles.deleteTree(dir);
    }
  }

  /**
   * {@return the sum, one pass of the user's loop over the vector}
   *
   * @param v the vector
   */
  @Benchmark
  public long vecPass(Vector v) {
    LongVec vec = v.vec;
    long sum = 0;
    for (long i = 0; i < vec.size(); i++) {
      sum += vec.get(i);
    }
    return sum;
  }

  /**
   * {@return the sum, one pass of the same loop over the array}
   *
   * @param a the array
   */
  @Benchmark
  public long arrayPass(Array a) {
    long[] array = a.array;
    long sum = 0;
    for (int i = 0; i < array.length; i++) {
      sum += array[i];
    }
    return sum;
  }
}
