package io.mmapvec.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Param;
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
 * pays once per page, allocation of the page-cache page included. The same first stores are also
 * measured after the two ways of preparing the pages in bulk that issue 8 studied, the preparation
 * inside the measured time: writing zeros over the range with {@code FileChannel.write} from a 256
 * KiB buffer (what mmapvec's append prefault does: the kernel fills the page cache in large folios,
 * and allocates the blocks) and {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14+; the same faults
 * without the traps). These bound what any append to a memory-mapped file pays per page that a heap
 * array, whose memory is already mapped, does not.
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

  /** {@code madvise(2)}'s advice that populates a range writable, as after a write fault. */
  private static final int MADV_POPULATE_WRITE = 23;

  /** {@code int madvise(void *addr, size_t length, int advice)}, found at the first use. */
  @SuppressWarnings("restricted") // the benchmark's fork runs with --enable-native-access
  private static final class Madvise {
    static final MethodHandle HANDLE =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker().defaultLookup().find("madvise").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
  }

  /** A fresh sparse file mapping for every shot. */
  @State(Scope.Thread)
  public static class FreshMapping {
    /**
     * How the pages are prepared before the first stores, inside the measured time: {@code sparse}
     * not at all; {@code zeroWritten} by writing zeros over them; {@code populated} by {@code
     * madvise(MADV_POPULATE_WRITE)}.
     */
    @Param({"sparse", "zeroWritten", "populated"})
    public String prepare;

    private Path dir;
    private Arena arena;
    private RandomAccessFile raf;
    MemorySegment segment;
    FileChannel channel;
    final ByteBuffer zeros = ByteBuffer.allocateDirect(256 << 10);

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
      channel = raf.getChannel();
      segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) PAGES * 4096, arena);
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
   * Prepares the pages of a fresh shared file mapping as {@link FreshMapping#prepare} says, then
   * stores one long into every page: the first-touch cost per page.
   *
   * @param f the fresh mapping
   * @throws IOException if writing the zeros fails
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 3)
  @Measurement(iterations = 10)
  @OperationsPerInvocation(PAGES)
  public void firstTouchPerPage(FreshMapping f) throws IOException {
    MemorySegment s = f.segment;
    switch (f.prepare) {
      case "zeroWritten" -> {
        for (long at = 0; at < s.byteSize(); at += f.zeros.capacity()) {
          f.zeros.clear();
          while (f.zeros.hasRemaining()) {
            f.channel.write(f.zeros, at + f.zeros.position());
          }
        }
      }
      case "populated" -> {
        int rc;
        try {
          rc = (int) Madvise.HANDLE.invokeExact(s, s.byteSize(), MADV_POPULATE_WRITE);
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
        if (rc != 0) {
          throw new IllegalStateException("madvise(MADV_POPULATE_WRITE) failed (Linux < 5.14?)");
        }
      }
      default -> {}
    }
    for (long p = 0; p < PAGES; p++) {
      s.set(ValueLayout.JAVA_LONG, p * 4096, p);
    }
  }
}
