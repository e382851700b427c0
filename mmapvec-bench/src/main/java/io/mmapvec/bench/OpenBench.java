package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Workload F: opening (and closing) an existing vector file of 1 MiB, 1 GiB and 4 GiB of longs,
 * read-only and writable, in microseconds; and the memory the open mapping has resident right after
 * open (KiB, from /proc/self/smaps), an auxiliary counter of {@link #residentAfterOpen}. Both
 * should be flat in the file size: open reads the header, never the data.
 *
 * <p>The trial setup writes the file once ({@code resize} with a fill, then close, which syncs), so
 * the 4 GiB trial needs 4 GiB of disk and writes it (seconds).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {PeerFlags.NATIVE})
public class OpenBench {
  /** The file's data size. */
  @Param({"1M", "1G", "4G"})
  public String size;

  private Path dir;
  private Path file;

  /** Creates the benchmark; JMH calls this. */
  public OpenBench() {}

  /**
   * Writes the vector file.
   *
   * @throws IOException if it cannot be written
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    long bytes =
        switch (size) {
          case "1M" -> 1L << 20;
          case "1G" -> 1L << 30;
          case "4G" -> 4L << 30;
          default -> throw new IllegalArgumentException("size " + size);
        };
    dir = BenchFiles.newDirectory("mmapvec-bench-open-");
    file = dir.resolve("open.vec");
    try (LongVec v = LongVec.open(file)) {
      v.reserve(bytes / Long.BYTES);
      v.resize(bytes / Long.BYTES, 7L);
    }
  }

  /**
   * Deletes the file.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    BenchFiles.deleteTree(dir);
  }

  /**
   * {@return the size seen by a read-only open, which is then closed}
   *
   * @throws IOException if the open fails
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public long openReadOnly() throws IOException {
    try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true))) {
      return v.size();
    }
  }

  /**
   * {@return the size seen by a writable open, which is then closed}
   *
   * @throws IOException if the open fails
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public long openWritable() throws IOException {
    try (LongVec v = LongVec.open(file)) {
      return v.size();
    }
  }

  /** The resident size of the file's mapping right after open. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Resident {
    /** KiB of the file's mappings resident right after the last open. */
    public long residentKiB;

    /** Creates the state; JMH calls this. */
    public Resident() {}
  }

  /**
   * Opens the file writable and records how much of its mapping is resident (the score is the time
   * of open, the smaps read and close; only the counter matters).
   *
   * @param resident where the resident size goes
   * @return the size
   * @throws IOException if the open fails
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  public long residentAfterOpen(Resident resident) throws IOException {
    try (LongVec v = LongVec.open(file)) {
      resident.residentKiB = residentKiB(file);
      return v.size();
    }
  }

  /** {@return the summed Rss of this process's mappings of {@code file}, in KiB} */
  static long residentKiB(Path file) throws IOException {
    String name = file.toAbsolutePath().toString();
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    long kib = 0;
    boolean inFile = false;
    for (String line : lines) {
      if (!line.isEmpty() && Character.digit(line.charAt(0), 16) >= 0 && line.contains("-")) {
        inFile = line.endsWith(name);
      } else if (inFile && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kib;
  }
}
