package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.export.Compression;
import io.mmapvec.export.ExportOptions;
import io.mmapvec.export.VecExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
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
 * Export throughput: mmapvec-export writing a vector file to Parquet (and Arrow), next to DuckDB
 * writing the same rows to Parquet from its own in-memory table, in the same run.
 *
 * <p>Data: {@code longs} is 100M longs (800 MB), a random walk such as prices or timestamps; {@code
 * records} is 10M {@link Tick}s (24-byte elements, 20 bytes of fields): a rising time, a
 * random-walk price, a quantity in 1..1000. DuckDB's table is loaded from the Parquet file the
 * setup exports, so both sides write identical rows, with the same compression (zstd, level 3) and
 * the same row group size (1,048,576 rows). Figures are time per whole export; MB/s of element data
 * is (elements x element bytes) / time, computed in docs/BENCHMARKS.md. DuckDB uses every core (its
 * own parallel writer); mmapvec-export uses one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class ExportBench {
  /** The record of the {@code records} data set. */
  public record Tick(long time, double price, int qty) {}

  /** Which data set. */
  @Param({"longs", "records"})
  public String data;

  /**
   * Rows to export; 0 (the default) means the sizes, 100M longs and 10M records. A small
   * value only checks that the benchmark runs ({@code -p rows=200000}); its figures mean nothing.
   */
  @Param({"0"})
  public long rows;

  private Path dir;
  private Path vec;
  private Path out;
  private Connection duck;
  private int run;

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    dir = BenchFiles.newDirectory("mmapvec-export-bench-");
    vec = dir.resolve(data + ".vec");
    SplittableRandom random = new SplittableRandom(42);
    if (data.equals("longs")) {
      try (LongVec v = LongVec.open(vec)) {
        long n = rows > 0 ? rows : 100_000_000L;
        v.reserve(n);
        long x = 1_700_000_000_000L;
        for (long i = 0; i < n; i++) {
          x += random.nextInt(1_000);
          v.add(x);
        }
      }
    } else {
      try (StructVec<Tick> v = StructVec.open(vec, Tick.class)) {
        long n = rows > 0 ? rows : 10_000_000L;
        v.reserve(n);
        double price = 100;
        for (long i = 0; i < n; i++) {
          price += (random.nextInt(201) - 100) / 100.0;
          v.add(
              new Tick(
                  1_700_000_000_000L + i * 7 + random.nextInt(7), price, 1 + random.nextInt(1000)));
        }
      }
    }
    Path loaded = dir.resolve("load.parquet");
    VecExport.toParquet(vec, loaded, ExportOptions.defaults());
    duck = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE TABLE t AS SELECT * FROM read_parquet('" + loaded + "')");
    }
    Files.delete(loaded);
  }

  @Setup(Level.Iteration)
  public void newOutput() {
    out = dir.resolve("out-" + run++);
  }

  @TearDown(Level.Iteration)
  public void deleteOutput() throws IOException {
    for (String ext : new String[] {".parquet", ".arrow"}) {
      Files.deleteIfExists(Path.of(out + ext));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, SQLException {
    if (duck != null) {
      duck.close();
    }
    BenchFiles.deleteTree(dir);
  }

  /** mmapvec-export: the vector file to Parquet, zstd. */
  @Benchmark
  public long mmapvecParquet() throws IOException {
    Path p = Path.of(out + ".parquet");
    VecExport.toParquet(vec, p, ExportOptions.defaults().withCompression(Compression.ZSTD));
    return Files.size(p);
  }

  /** mmapvec-export: the vector file to Arrow IPC (uncompressed). */
  @Benchmark
  public long mmapvecArrow() throws IOException {
    Path p = Path.of(out + ".arrow");
    VecExport.toArrow(vec, p, ExportOptions.defaults());
    return Files.size(p);
  }

  /** DuckDB: its own table of the same rows to Parquet, zstd, the same row group size. */
  @Benchmark
  public long duckdbParquet() throws SQLException, IOException {
    Path p = Path.of(out + ".parquet");
    try (Statement s = duck.createStatement()) {
      s.execute(
          "COPY t TO '"
              + p
              + "' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE "
              + ExportOptions.DEFAULT_ROW_GROUP_ROWS
              + ")");
    }
    return Files.size(p);
  }
}
