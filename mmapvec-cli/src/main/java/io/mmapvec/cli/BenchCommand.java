package io.mmapvec.cli;

import io.mmapvec.LongVec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mmapvec bench [--quick]}: a short comparison of a {@code LongVec} with a growable heap
 * {@code long[]}: append, random get, random set and scan, as ratios. Rough figures from one JVM
 * run (best of a few rounds, no forks); the JMH suite in mmapvec-bench is the careful one.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "A short comparison of a LongVec with a growable heap long[]: append, random get, random",
      "set and a sequential scan, printed as times and ratios (best of a few rounds in this",
      "JVM). The JMH suite in mmapvec-bench (bench/run) gives the careful figures."
    })
final class BenchCommand extends ToolCommand {
  @Option(names = "--quick", description = "1 million elements, 3 rounds (default 10 million, 5).")
  boolean quick;

  @Option(names = "--dir", paramLabel = "DIR", description = "Where the temporary file goes.")
  Path dir;

  private long sink;

  @Override
  int execute() throws IOException {
    int n = quick ? 1_000_000 : 10_000_000;
    int rounds = quick ? 3 : 5;
    PrintWriter out = out();
    Path tmpDir =
        dir == null
            ? Files.createTempDirectory("mmapvec-bench-")
            : Files.createTempDirectory(dir, "mmapvec-bench-");
    Path file = tmpDir.resolve("bench.vec");
    try {
      out.println(
          "mmapvec bench: "
              + InfoCommand.count(n)
              + " longs, best of "
              + rounds
              + " rounds; LongVec in "
              + file
              + " vs a growable heap long[]");
      out.println(
          String.format(
              Locale.ROOT, "%-12s %12s %12s %8s", "operation", "mmapvec", "heap", "ratio"));
      out.flush();
      long[] indices = randomIndices(n);
      double[][] best = new double[4][2];
      for (double[] b : best) {
        Arrays.fill(b, Double.MAX_VALUE);
      }
      for (int r = 0; r < rounds; r++) {
        Files.deleteIfExists(file);
        try (LongVec v = LongVec.open(file)) {
          long t0 = System.nanoTime();
          appendVec(v, n);
          long t1 = System.nanoTime();
          sink += getVec(v, indices);
          long t2 = System.nanoTime();
          setVec(v, indices);
          long t3 = System.nanoTime();
          sink += scanVec(v);
          long t4 = System.nanoTime();
          record(best, 0, t0, t1, t2, t3, t4);
        }
        long t0 = System.nanoTime();
        HeapLongs h = appendHeap(n);
        long t1 = System.nanoTime();
        sink += getHeap(h, indices);
        long t2 = System.nanoTime();
        setHeap(h, indices);
        long t3 = System.nanoTime();
        sink += scanHeap(h);
        long t4 = System.nanoTime();
        record(best, 1, t0, t1, t2, t3, t4);
      }
      String[] names = {"append", "random get", "random set", "scan"};
      for (int k = 0; k < 4; k++) {
        out.println(
            String.format(
                Locale.ROOT,
                "%-12s %9.1f ms %9.1f ms %7.2fx",
                names[k],
                best[k][0] / 1e6,
                best[k][1] / 1e6,
                best[k][0] / best[k][1]));
      }
      out.println("ratio = mmapvec time / heap time (lower is better for mmapvec)");
      if (sink == 42) {
        out.println();
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(tmpDir);
    }
    return Main.OK;
  }

  // One method per operation, so that each is compiled on its own rather than inside one big loop.

  private static void appendVec(LongVec v, int n) {
    for (int i = 0; i < n; i++) {
      v.add(i);
    }
  }

  private static long getVec(LongVec v, long[] indices) {
    long s = 0;
    for (long i : indices) {
      s += v.get(i);
    }
    return s;
  }

  private static void setVec(LongVec v, long[] indices) {
    for (long i : indices) {
      v.set(i, i);
    }
  }

  private static long scanVec(LongVec v) {
    long s = 0;
    long n = v.size();
    for (long i = 0; i < n; i++) {
      s += v.get(i);
    }
    return s;
  }

  private static HeapLongs appendHeap(int n) {
    HeapLongs h = new HeapLongs();
    for (int i = 0; i < n; i++) {
      h.add(i);
    }
    return h;
  }

  private static long getHeap(HeapLongs h, long[] indices) {
    long s = 0;
    for (long i : indices) {
      s += h.get((int) i);
    }
    return s;
  }

  private static void setHeap(HeapLongs h, long[] indices) {
    for (long i : indices) {
      h.set((int) i, i);
    }
  }

  private static long scanHeap(HeapLongs h) {
    long s = 0;
    for (int i = 0; i < h.size; i++) {
      s += h.get(i);
    }
    return s;
  }

  private static void record(
      double[][] best, int who, long t0, long t1, long t2, long t3, long t4) {
    long[] t = {t0, t1, t2, t3, t4};
    for (int k = 0; k < 4; k++) {
      best[k][who] = Math.min(best[k][who], t[k + 1] - t[k]);
    }
  }

  private static long[] randomIndices(int n) {
    long[] out = new long[n];
    long x = 0x9E3779B97F4A7C15L;
    for (int i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      out[i] = Math.floorMod(x, n);
    }
    return out;
  }

  /** The heap baseline: a long[] that doubles when full, as ArrayList does. */
  private static final class HeapLongs {
    long[] a = new long[16];
    int size;

    void add(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = v;
    }

    long get(int i) {
      return a[i];
    }

    void set(int i, long v) {
      a[i] = v;
    }
  }
}
