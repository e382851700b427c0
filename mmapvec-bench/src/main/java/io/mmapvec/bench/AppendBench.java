package io.mmapvec.bench;

import io.mmapvec.LongVec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending 10M longs one at a time: to a fresh {@link LongVec}, to a heap {@code long[]} grown by
 * doubling ({@link LongArrayList}), and, for information, to an {@code ArrayList<Long>}. Scores are
 * milliseconds for all 10M appends; one append per shot, so every shot starts from empty.
 *
 * <p>The vector file is created before each shot and closed (synced) and deleted after it, outside
 * the measured time: the score is the cost of {@code add}, including the file's growth ({@code
 * fallocate}, page faults on new pages) but not creation or the final sync. Three informational
 * variants take the cost apart: {@link #vecAddThenSync} adds the sync; {@link #vecAddReserved}
 * allocates the file's blocks before the shot, so the shot has no growth but still touches every
 * page for the first time; {@link #vecAddRecycled} appends to a cleared vector whose pages are
 * already mapped, so the shot costs only {@code add} itself.
 *
 * <p>Before every shot, of every benchmark here, a full GC runs (outside the measured time), so
 * that no shot pays for the garbage of the one before; the heap baselines still pay for the GC work
 * their own growth causes. The heap has a fixed size (-Xms = -Xmx), as on a server: otherwise G1
 * gives memory back after the full GC and some heap shots pay to fault it in again, which makes the
 * baseline bimodal (30 or 120 ms per shot on the machine of docs/BENCHMARKS.md).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8)
@Measurement(iterations = 20)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
public class AppendBench {
  /** Longs appended per shot. */
  static final int N = 10_000_000;

  /** Creates the benchmark; JMH calls this. */
  public AppendBench() {}

  /** Collects the previous shot's garbage before each shot; used by every benchmark here. */
  @State(Scope.Thread)
  public static class CleanHeap {
    /** Creates the state; JMH calls this. */
    public CleanHeap() {}

    /** Runs a full GC, outside the measured time. */
    @Setup(Level.Iteration)
    public void collect() {
      System.gc();
    }
  }

  /** A fresh, empty vector file for every shot. */
  @State(Scope.Thread)
  public static class FreshVec {
    private Path dir;
    private Path file;
    LongVec vec;

    /** Creates the state; JMH calls this. */
    public FreshVec() {}

    /**
     * Makes the directory for this trial.
     *
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Trial)
    public void makeDirectory() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-append-");
      file = dir.resolve("append.vec");
    }

    /**
     * Creates an empty vector.
     *
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Iteration)
    public void create() throws IOException {
      Files.deleteIfExists(file);
      vec = LongVec.open(file);
      long reserve = reserveBeforeShot();
      if (reserve > 0) {
        vec.reserve(reserve);
      }
    }

    /** {@return how many elements to allocate room for before the shot: none here} */
    long reserveBeforeShot() {
      return 0;
    }

    /**
     * Checks, closes and deletes the vector.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Iteration)
    public void discard() throws IOException {
      if (vec.size() != N || vec.get(N - 1) != BenchFiles.valueAt(N - 1)) {
        throw new IllegalStateException("append lost data: size " + vec.size());
      }
      vec.close();
      Files.deleteIfExists(file);
    }

    /**
     * Deletes the directory.
     *
     * @throws IOException if it cannot be deleted
     */
    @TearDown(Level.Trial)
    public void deleteDirectory() throws IOException {
      BenchFiles.deleteTree(dir);
    }
  }

  /** Like {@link FreshVec}, but with room for all N elements allocated before the shot. */
  @State(Scope.Thread)
  public static class ReservedVec extends FreshVec {
    /** Creates the state; JMH calls this. */
    public ReservedVec() {}

    @Override
    long reserveBeforeShot() {
      return N;
    }
  }

  /**
   * One vector for the whole trial, filled once and cleared before every shot: its file never grows
   * during a shot and its pages are already mapped, so a shot costs only {@code add} itself.
   */
  @State(Scope.Thread)
  public static class RecycledVec {
    private Path dir;
    LongVec vec;

    /** Creates the state; JMH calls this. */
    public RecycledVec() {}

    /**
     * Creates the vector and fills it once, so that all its pages are allocated and mapped.
     *
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Trial)
    public void create() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-append-recycled-");
      vec = LongVec.open(dir.resolve("recycled.vec"));
      for (int i = 0; i < N; i++) {
        vec.add(i);
      }
    }

    /** Empties the vector; the capacity and the mapped pages stay. */
    @Setup(Level.Iteration)
    public void clear() {
      vec.clear();
    }

    /** Checks the shot's result. */
    @TearDown(Level.Iteration)
    public void check() {
      if (vec.size() != N || vec.get(N - 1) != BenchFiles.valueAt(N - 1)) {
        throw new IllegalStateException("append lost data: size " + vec.size());
      }
    }

    /**
     * Closes and deletes the vector.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void delete() throws IOException {
      if (vec != null) {
        vec.close();
      }
      BenchFiles.deleteTree(dir);
    }
  }

  /**
   * Appends to the fresh vector.
   *
   * @param state the fresh vector
   * @param heap a collected heap
   * @return its size
   */
  @Benchmark
  public long vecAdd(FreshVec state, CleanHeap heap) {
    LongVec v = state.vec;
    for (int i = 0; i < N; i++) {
      v.add(BenchFiles.valueAt(i));
    }
    return v.size();
  }

  /**
   * Appends to the fresh vector, then syncs it: what a durable bulk load costs (informational).
   *
   * @param state the fresh vector
   * @param heap a collected heap
   * @return its size
   * @throws IOException if the sync fails
   */
  @Benchmark
  public long vecAddThenSync(FreshVec state, CleanHeap heap) throws IOException {
    LongVec v = state.vec;
    for (int i = 0; i < N; i++) {
      v.add(BenchFiles.valueAt(i));
    }
    v.sync();
    return v.size();
  }

  /**
   * Appends to a fresh vector whose blocks were allocated before the shot: no growth during the
   * shot, but every page is touched for the first time (informational: isolates growth).
   *
   * @param state the fresh, reserved vector
   * @param heap a collected heap
   * @return its size
   */
  @Benchmark
  public long vecAddReserved(ReservedVec state, CleanHeap heap) {
    LongVec v = state.vec;
    for (int i = 0; i < N; i++) {
      v.add(BenchFiles.valueAt(i));
    }
    return v.size();
  }

  /**
   * Appends to a cleared vector whose pages are already mapped: no growth, no page faults
   * (informational: isolates the cost of {@code add} itself).
   *
   * @param state the cleared vector
   * @param heap a collected heap
   * @return its size
   */
  @Benchmark
  public long vecAddRecycled(RecycledVec state, CleanHeap heap) {
    LongVec v = state.vec;
    for (int i = 0; i < N; i++) {
      v.add(BenchFiles.valueAt(i));
    }
    return v.size();
  }

  /**
   * {@return a heap long[] grown by doubling, holding the same values}
   *
   * @param heap a collected heap
   */
  @Benchmark
  public LongArrayList heapLongArray(CleanHeap heap) {
    LongArrayList list = new LongArrayList();
    for (int i = 0; i < N; i++) {
      list.add(BenchFiles.valueAt(i));
    }
    return list;
  }

  /**
   * {@return a boxed ArrayList holding the same values (informational)}
   *
   * @param heap a collected heap
   */
  @Benchmark
  public ArrayList<Long> boxedArrayList(CleanHeap heap) {
    ArrayList<Long> list = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      list.add(BenchFiles.valueAt(i));
    }
    return list;
  }
}
