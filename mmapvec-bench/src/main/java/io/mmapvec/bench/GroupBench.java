package io.mmapvec.bench;

import io.mmapvec.ColumnarVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.VecGroup;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Column groups (issue 10), two comparisons in one JVM.
 *
 * <p><b>Field scan</b> ({@link Scan}): the sum of the {@code price} column of a {@link ColumnarVec}
 * of 4M {@link Tick} rows through the zero-copy column view's {@code get(i)}, against the sum of a
 * plain {@link DoubleVec} of the same 4M values. Both reopened read-only; ns per element.
 *
 * <p><b>Commit</b> ({@link Commit}): one operation appends {@value #ROWS} rows to three columns
 * ({@code long, double, int}) and commits them. {@code groupCommit}: the columns of a {@link
 * VecGroup}, one {@code g.sync()}. {@code threeSyncs}: three stand-alone vectors, three {@code
 * sync()}s. {@code threeSyncsPlusManifestWrite}: the same plus one 8 KiB {@code pwrite} and {@code
 * fdatasync} of a 20 KiB file, the manifest write a group adds. The target: {@code
 * groupCommit} at most {@code threeSyncsPlusManifestWrite}. Files under {@code java.io.tmpdir} (or
 * {@code -Dmmapvec.bench.dir}); use a real disk.
 */
public class GroupBench {
  /** Rows appended per commit. */
  static final int ROWS = 1000;

  /** Rows of the scanned vectors: 4M. */
  static final int N = 1 << 22;

  private GroupBench() {}

  /**
   * The benchmark's record.
   *
   * @param time the time
   * @param price the price
   * @param qty the quantity
   */
  public record Tick(long time, double price, int qty) {}

  static double priceAt(long index) {
    return (BenchFiles.valueAt(index) >>> 40) * 0.25;
  }

  /** The field scan. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @Fork(
      value = 1,
      jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
  public static class Scan {
    private Path dir;
    private ColumnarVec<Tick> ticks;
    private DoubleVec column;
    private DoubleVec plain;

    /** Creates the state; JMH calls this. */
    public Scan() {}

    /**
     * Writes both, reopens them read-only, checks the sums agree.
     *
     * @throws IOException if a file cannot be written or opened
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-groupscan-");
      Path group = dir.resolve("ticks");
      Path single = dir.resolve("prices.vec");
      try (ColumnarVec<Tick> w = ColumnarVec.open(group, Tick.class);
          DoubleVec d = DoubleVec.open(single)) {
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
      VecOptions ro = VecOptions.defaults().withReadOnly(true);
      ticks = ColumnarVec.open(group, Tick.class, ro);
      column = ticks.column("price", DoubleVec.class);
      plain = DoubleVec.open(single, ro);
      if (columnGet() != doubleVecGet()) {
        throw new IllegalStateException("the sums differ");
      }
    }

    /**
     * Closes and deletes.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      if (ticks != null) {
        ticks.close();
      }
      if (plain != null) {
        plain.close();
      }
      BenchFiles.deleteTree(dir);
    }

    /** {@return the sum of the price column of the ColumnarVec} */
    @Benchmark
    @OperationsPerInvocation(N)
    public double columnGet() {
      DoubleVec v = column;
      long n = v.size();
      double sum = 0;
      for (long i = 0; i < n; i++) {
        sum += v.get(i);
      }
      return sum;
    }

    /** {@return the sum of a stand-alone DoubleVec} */
    @Benchmark
    @OperationsPerInvocation(N)
    public double doubleVecGet() {
      DoubleVec v = plain;
      long n = v.size();
      double sum = 0;
      for (long i = 0; i < n; i++) {
        sum += v.get(i);
      }
      return sum;
    }
  }

  /** The commit. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 2)
  @Fork(
      value = 1,
      jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
  public static class Commit {
    private Path dir;
    private VecGroup group;
    private LongVec gTime;
    private DoubleVec gPrice;
    private IntVec gQty;
    private LongVec time;
    private DoubleVec price;
    private IntVec qty;
    private FileChannel manifest;
    private ByteBuffer slot;
    private long row;

    /** Creates the state; JMH calls this. */
    public Commit() {}

    /**
     * Opens a group of three columns, three stand-alone vectors and a 20 KiB file.
     *
     * @throws IOException if a file cannot be created
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-groupcommit-");
      group = VecGroup.open(dir.resolve("g"));
      gTime = group.longVec("time");
      gPrice = group.doubleVec("price");
      gQty = group.intVec("qty");
      group.sync();
      time = LongVec.open(dir.resolve("time.vec"));
      price = DoubleVec.open(dir.resolve("price.vec"));
      qty = IntVec.open(dir.resolve("qty.vec"));
      manifest =
          FileChannel.open(
              dir.resolve("manifest"),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      manifest.write(ByteBuffer.allocate(20480), 0);
      manifest.force(false);
      slot = ByteBuffer.allocateDirect(8192);
    }

    /**
     * Closes and deletes.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      group.close();
      time.close();
      price.close();
      qty.close();
      manifest.close();
      BenchFiles.deleteTree(dir);
    }

    /**
     * {@return the rows written} Appends {@value GroupBench#ROWS} rows to a group's three columns,
     * then one group commit.
     *
     * @throws IOException if the commit fails
     */
    @Benchmark
    public long groupCommit() throws IOException {
      for (int i = 0; i < ROWS; i++, row++) {
        gTime.add(row);
        gPrice.add(row * 0.5);
        gQty.add((int) row);
      }
      group.sync();
      return row;
    }

    /**
     * {@return the rows written} The same rows to three stand-alone vectors, three syncs.
     *
     * @throws IOException if a sync fails
     */
    @Benchmark
    public long threeSyncs() throws IOException {
      appendAlone();
      time.sync();
      price.sync();
      qty.sync();
      return row;
    }

    /**
     * {@return the rows written} Three stand-alone syncs plus one manifest-sized write and {@code
     * fdatasync}.
     *
     * @throws IOException if a sync or the write fails
     */
    @Benchmark
    public long threeSyncsPlusManifestWrite() throws IOException {
      appendAlone();
      time.sync();
      price.sync();
      qty.sync();
      slot.clear();
      slot.putLong(0, row);
      manifest.write(slot, (row & 1) == 0 ? 4096 : 12288);
      manifest.force(false);
      return row;
    }

    private void appendAlone() {
      for (int i = 0; i < ROWS; i++, row++) {
        time.add(row);
        price.add(row * 0.5);
        qty.add((int) row);
      }
    }
  }
}
