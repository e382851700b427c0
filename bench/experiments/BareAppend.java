import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The floor of appending longs to a new file on this machine, outside JMH (docs/BENCHMARKS.md,
 * Targets, "Append"): a bare prototype with mmapvec's page strategy and none of its work. The file
 * grows by doubling with {@code fallocate}, each new step is prefaulted with {@code pwrite} of
 * zeros (2 MiB per call), and the longs are stored through one 1 GiB shared mapping: no size, no
 * header, no checks, no commit. Against the same loop into a heap {@code long[]} grown by doubling.
 * Linux x86_64 or aarch64 only.
 *
 * <pre>
 * java -Dn=50000000 -Xms2g -Xmx2g --enable-native-access=ALL-UNNAMED bench/experiments/BareAppend.java /tmp
 * </pre>
 *
 * Prints each round's wall time and the thread's user and system CPU time, then the medians.
 */
public class BareAppend {
  static final int N = Integer.getInteger("n", 10_000_000);
  static final long HEADER = 65536;
  static final long RESERVATION = 1L << 30;
  static final long ZEROS = 2 << 20;

  static final Linker LINKER = Linker.nativeLinker();
  static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
  static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
  static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(I, ValueLayout.ADDRESS, I, I));
  static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(I, I));
  static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(I, I, J));
  static final MethodHandle FALLOCATE = downcall("fallocate", FunctionDescriptor.of(I, I, I, J, J));
  static final MethodHandle MMAP =
      downcall("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, J, I, I, I, J));
  static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(I, ValueLayout.ADDRESS, J));
  static final MethodHandle PWRITE = downcall("pwrite", FunctionDescriptor.of(J, I, ValueLayout.ADDRESS, J, J));

  static MethodHandle downcall(String name, FunctionDescriptor d) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
  }

  static long sink;

  public static void main(String[] args) throws Throwable {
    if (8L * N + HEADER > RESERVATION / 2) {
      throw new IllegalArgumentException("n too large for the 1 GiB mapping");
    }
    Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "/tmp"), "bare-append-");
    List<Double> bare = new ArrayList<>();
    List<Double> heap = new ArrayList<>();
    for (int round = 0; round < 8; round++) {
      double b = bare(dir.resolve("bare.bin"));
      double h = heap();
      if (round >= 2) { // after warm-up
        bare.add(b);
        heap.add(h);
      }
    }
    Files.deleteIfExists(dir.resolve("bare.bin"));
    Files.delete(dir);
    System.out.printf("median: bare file %.1f ms, heap long[] %.1f ms, ratio %.2f%n",
        median(bare), median(heap), median(bare) / median(heap));
  }

  static double median(List<Double> l) {
    List<Double> s = new ArrayList<>(l);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static double heap() {
    System.gc();
    long t0 = System.nanoTime();
    long[] a = new long[16];
    int n = 0;
    for (int i = 0; i < N; i++) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = i * 31L;
    }
    sink += a[N - 1];
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("heap %.0f ms%n", ms);
    return ms;
  }

  static double bare(Path file) throws Throwable {
    System.gc();
    Files.deleteIfExists(file);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), 0102 | 02000000, 0644);
      MemorySegment m =
          ((MemorySegment) MMAP.invokeExact(MemorySegment.NULL, RESERVATION, 3, 1, fd, 0L))
              .reinterpret(RESERVATION);
      MemorySegment zeros = arena.allocate(ZEROS, 4096);
      long cpu0 = mx.getCurrentThreadCpuTime();
      long user0 = mx.getCurrentThreadUserTime();
      long t0 = System.nanoTime();
      long capacity = HEADER + 4096;
      int rc = (int) FTRUNCATE.invokeExact(fd, capacity);
      long offset = HEADER;
      for (int i = 0; i < N; i++) {
        if (offset + 8 > capacity) {
          long next = HEADER + 2 * (capacity - HEADER);
          rc = (int) FALLOCATE.invokeExact(fd, 0, capacity, next - capacity);
          if (rc != 0) {
            throw new IllegalStateException("fallocate failed");
          }
          for (long p = capacity; p < next; p += ZEROS) {
            long written = (long) PWRITE.invokeExact(fd, zeros, Math.min(ZEROS, next - p), p);
          }
          capacity = next;
        }
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, i * 31L);
        offset += 8;
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      long user = mx.getCurrentThreadUserTime() - user0;
      long sys = mx.getCurrentThreadCpuTime() - cpu0 - user;
      System.out.printf("bare file %.0f ms (user %d ms, system %d ms)%n", ms, user / 1_000_000, sys / 1_000_000);
      rc = (int) MUNMAP.invokeExact(m, RESERVATION);
      rc = (int) CLOSE.invokeExact(fd);
      return ms;
    }
  }
}
