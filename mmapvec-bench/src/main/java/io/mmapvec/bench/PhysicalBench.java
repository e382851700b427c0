package io.mmapvec.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
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
 * The machine's limits, measured in the same run as the contenders: memory write and read bandwidth
 * over a {@code long[]} of 16M elements (128 MiB, four times the L3 cache), in ns per long (GB/s =
 * 8 / ns); and the cost of the first store into each page of a fresh shared mapping of a new file
 * (extended with {@code setLength}, so sparse), in ns per 4 KiB page: the fault every mmap writer
 * pays once per page, allocation of the page-cache page included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {PeerFlags.NATIVE, "-Xms1g", "-Xmx1g"})
public class PhysicalBench {
  /** Longs in the bandwidth array. */
  static final int N = 1 << 24;

  /** Pages touched per first-touch shot: 64 MiB. */
  static final int PAGES = 1 << 14;

  /** Creates the benchmark; JMH calls this. */
  public PhysicalBench() {}

  /** The bandwidth array. */
  @State(Scope.Thread)
  public static class Memory {
    long[] array;

    /** Creates the state; JMH calls this. */
    public Memory() {}

    /** Allocates and touches the array. */
    @Setup(Level.Trial)
    public void setUp() {
      array = new long[N];
      Arrays.fill(array, 1L);
    }
  }

  /** A fresh sparse file mapping for every shot. */
  @State(Scope.Thread)
  public static class FreshMapping {
    private Path dir;
    private Arena arena;
    private RandomAccessFile raf;
    MemorySegment segment;

    /** Creates the state; JMH calls this. */
    public FreshMapping() {}

    /**
     * Creates and maps a new file of {@value #PAGES} pages.
     *
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Iteration)
    public void map() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-fault-");
      raf = new RandomAccessFile(dir.resolve("fault.data").toFile(), "rw");
      raf.setLength((long) PAGES * 4096);
      arena = Arena.ofShared();
      segment = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, (long) PAGES * 4096, arena);
    }

    /**
     * Unmaps and deletes the file.
     *
     * @throws IOException if it cannot be deleted
     */
    @TearDown(Level.Iteration)
    public void unmap() throws IOException {
      arena.close();
      raf.close();
      BenchFiles.deleteTree(dir);
    }
  }

  /**
   * Fills the array: memory write bandwidth.
   *
   * @param m the array
   */
  @Benchmark
  @OperationsPerInvocation(N)
  public void memoryWrite(Memory m) {
    Arrays.fill(m.array, 3L);
  }

  /**
   * {@return the sum of the array: memory read bandwidth}
   *
   * @param m the array
   */
  @Benchmark
  @OperationsPerInvocation(N)
  public long memoryRead(Memory m) {
    long[] a = m.array;
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i];
    }
    return sum;
  }

  /**
   * Stores one long into every page of a fresh shared file mapping: the first-touch fault cost.
   *
   * @param f the fresh mapping
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 3)
  @Measurement(iterations = 10)
  @OperationsPerInvocation(PAGES)
  public void firstTouchPerPage(FreshMapping f) {
    MemorySegment s = f.segment;
    for (long p = 0; p < PAGES; p++) {
      s.set(ValueLayout.JAVA_LONG, p * 4096, p);
    }
  }
}
