package io.mmapvec.bench;

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
 * Workload A: append {@code n} longs, one {@code add} at a time, to a new, empty store of each
 * contender ({@link Contenders}); and A+sync, the same followed by the contender's sync (durable
 * append). Scores are milliseconds per shot; bench/format.py divides by {@code n} for ns/element.
 *
 * <p>Every shot starts from a store created in the iteration setup (outside the measured time)
 * after a full GC, and the store is checked, closed and deleted after it; creation and closing are
 * not measured, but growth is (for mmapvec: {@code fallocate}, remaps and the first-touch faults).
 * The heap is fixed at 2 GiB for the heap contenders' sake (see {@link AppendBench}).
 *
 * <p>MapDB and lmdbjava are hundreds and tens of times slower: their default is left out, and
 * bench/run runs them with a smaller {@code n} next to {@code longArray} and {@code mmapvec} at the
 * same {@code n}: {@code -p impl=longArray,mmapvec,mapdb,lmdb -p n=200000}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {
      PeerFlags.NATIVE,
      PeerFlags.UNSAFE,
      PeerFlags.OPEN_NIO,
      PeerFlags.OPEN_NIO_CH,
      PeerFlags.OPEN_LANG,
      PeerFlags.OPEN_REFLECT,
      PeerFlags.OPEN_UTIL,
      PeerFlags.EXPORT_REF,
      PeerFlags.EXPORT_NIO_CH,
      PeerFlags.EXPORT_MISC,
      "-Xms2g",
      "-Xmx2g"
    })
public class PeerAppendBench {
  /** The contender. */
  @Param({
    "longArray",
    "fastutil",
    "mmapvec",
    "segment",
    "mappedBuffer",
    "channelWrite",
    "chronicle",
    "agrona"
  })
  public String impl;

  /** Longs appended per shot. */
  @Param({"10000000"})
  public long n;

  private Path dir;
  private LongStore store;

  /** Creates the benchmark; JMH calls this. */
  public PeerAppendBench() {}

  /**
   * Makes the trial's directory.
   *
   * @throws IOException if it cannot be created
   */
  @Setup(Level.Trial)
  public void makeDirectory() throws IOException {
    dir = BenchFiles.newDirectory("mmapvec-bench-peer-append-");
  }

  /**
   * Collects the heap, then creates an empty store.
   *
   * @throws IOException if it cannot be created
   */
  @Setup(Level.Iteration)
  public void create() throws IOException {
    System.gc();
    store = Contenders.open(impl, dir, n);
  }

  /**
   * Checks the shot's result, closes the store and deletes its files.
   *
   * @throws IOException if closing or deleting fails
   */
  @TearDown(Level.Iteration)
  public void discard() throws IOException {
    if (store.size() != n) {
      throw new IllegalStateException(impl + " lost appends: size " + store.size());
    }
    if (!impl.equals("channelWrite") && store.get(n - 1) != BenchFiles.valueAt(n - 1)) {
      throw new IllegalStateException(impl + " holds a wrong last element");
    }
    store.close();
    store = null;
    BenchFiles.deleteTree(dir);
    dir = BenchFiles.newDirectory("mmapvec-bench-peer-append-");
  }

  /**
   * Deletes the trial's directory.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void deleteDirectory() throws IOException {
    BenchFiles.deleteTree(dir);
  }

  /** {@return the size after appending n longs} */
  @Benchmark
  public long append() {
    LongStore s = store;
    long count = n;
    for (long i = 0; i < count; i++) {
      s.add(BenchFiles.valueAt(i));
    }
    return s.size();
  }

  /**
   * {@return the size after appending n longs and syncing them (durable append)}
   *
   * @throws IOException if the sync fails
   */
  @Benchmark
  public long appendSync() throws IOException {
    LongStore s = store;
    long count = n;
    for (long i = 0; i < count; i++) {
      s.add(BenchFiles.valueAt(i));
    }
    s.sync();
    return s.size();
  }
}
