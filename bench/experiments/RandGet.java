import java.lang.foreign.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.*;

/**
 * Where random reads over 50M longs lose time against a heap {@code long[]}, outside JMH
 * (docs/BENCHMARKS.md, Targets, "Random get"): the same 10M random indices read from a heap array,
 * from a {@code MemorySegment} over that same heap array (the segment access path on the same
 * memory), from anonymous native memory, and from a shared file mapping, read-write and read-only.
 * The variants alternate over 12 rounds; the medians of the last 8 are printed, then the
 * process's {@code AnonHugePages} and {@code FilePmdMapped} (whether 2 MiB pages backed either).
 *
 * <pre>
 * java -Xms3g -Xmx3g bench/experiments/RandGet.java /tmp
 * </pre>
 */
public class RandGet {
  static final int N = 50_000_000;
  static final int K = 10_000_000;
  static long heap(long[] a, int[] ix) { long s = 0; for (int k = 0; k < ix.length; k++) s += a[ix[k]]; return s; }
  // One copy of the loop per kind of segment, so that each call site sees one segment class.
  static long seg(MemorySegment m, int[] ix) { long s = 0; for (int k = 0; k < ix.length; k++) s += m.getAtIndex(ValueLayout.JAVA_LONG, ix[k]); return s; }
  static long seg2(MemorySegment m, int[] ix) { long s = 0; for (int k = 0; k < ix.length; k++) s += m.getAtIndex(ValueLayout.JAVA_LONG, ix[k]); return s; }
  static long seg4(MemorySegment m, int[] ix) { long s = 0; for (int k = 0; k < ix.length; k++) s += m.getAtIndex(ValueLayout.JAVA_LONG, ix[k]); return s; }
  static long seg3(MemorySegment m, int[] ix) { long s = 0; for (int k = 0; k < ix.length; k++) s += m.getAtIndex(ValueLayout.JAVA_LONG, ix[k]); return s; }
  public static void main(String[] args) throws Exception {
    int[] ix = new int[K];
    SplittableRandom r = new SplittableRandom(42);
    for (int k = 0; k < K; k++) ix[k] = r.nextInt(N);
    long[] a = new long[N];
    for (int i = 0; i < N; i++) a[i] = i * 31L;
    MemorySegment anon = Arena.global().allocate(8L * N, 4096);
    for (int i = 0; i < N; i++) anon.setAtIndex(ValueLayout.JAVA_LONG, i, i * 31L);
    Path f = Files.createTempFile(Path.of(args.length > 0 ? args[0] : "/tmp"), "rg", ".bin");
    FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
    MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8L * N, Arena.global());
    for (int i = 0; i < N; i++) file.setAtIndex(ValueLayout.JAVA_LONG, i, i * 31L);
    MemorySegment fileRO = FileChannel.open(f, StandardOpenOption.READ).map(FileChannel.MapMode.READ_ONLY, 0, 8L * N, Arena.global());
    MemorySegment onHeap = MemorySegment.ofArray(a);
    Map<String, List<Double>> res = new LinkedHashMap<>();
    long sink = 0;
    for (int round = 0; round < 12; round++) {
      for (String v : new String[] {"heap", "heapSeg", "anon", "file", "fileRO"}) {
        long t0 = System.nanoTime();
        switch (v) {
          case "heap" -> sink += heap(a, ix);
          case "heapSeg" -> sink += seg4(onHeap, ix);
          case "anon" -> sink += seg(anon, ix);
          case "file" -> sink += seg2(file, ix);
          default -> sink += seg3(fileRO, ix);
        }
        double ns = (System.nanoTime() - t0) / (double) K;
        if (round >= 4) res.computeIfAbsent(v, x -> new ArrayList<>()).add(Math.round(ns * 100) / 100.0);
      }
    }
    res.forEach((k, v) -> { List<Double> s = new ArrayList<>(v); Collections.sort(s); System.out.println(k + " median " + s.get(s.size() / 2) + " ns " + v); });
    System.out.println(sink);
    for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) if (l.contains("AnonHuge") || l.contains("FilePmd") || l.contains("Rss")) System.out.println(l);
    Files.delete(f);
  }
}
