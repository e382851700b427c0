package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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
 * Live readers: how long after a writer's {@code sync()} returns a tailing reader shows the commit,
 * and what {@code refresh()} costs when nothing changed.
 *
 * <p>{@link Visibility#syncToSeen()}: each invocation's setup appends one element and syncs; the
 * measured method then waits (spinning) until a reader thread of the same JVM has shown that
 * commit, so its time (sample mode: median, p99) is the latency from {@code sync()} returning to
 * the reader seeing it, plus the few hundred nanoseconds it takes this thread to notice. The reader
 * waits with {@code awaitCommit} ({@code how=await}: its backoff parks up to 1 ms between looks) or
 * spins on {@code refresh()} ({@code how=spin}: the floor, at the price of a busy core). A reader
 * in another process sees the same shared page cache; its latency is the same apart from
 * scheduling. {@link Idle#refreshUnchanged()}: one {@code refresh()} of a reader whose writer is
 * open and idle.
 *
 * <p>The file goes under {@code java.io.tmpdir} (or {@code -Dmmapvec.bench.dir}).
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class LiveReaderBench {
  /** Creates the benchmark; JMH calls this. */
  public LiveReaderBench() {}

  /** A writer and a tailing reader thread on one file. */
  @State(Scope.Benchmark)
  public static class Visibility {
    /**
     * How the reader waits: {@code await} ({@code awaitCommit}), {@code spin} ({@code refresh}).
     */
    @Param({"await", "spin"})
    public String how;

    private Path dir;
    private LongVec writer;
    private LongVec reader;
    private Thread tail;
    private volatile boolean stop;
    private volatile long seenSize;
    private volatile Throwable failure;
    private long expected;

    /** Creates the state; JMH calls this. */
    public Visibility() {}

    /**
     * Opens the writer and the reader, and starts the reader thread.
     *
     * @throws IOException if the file cannot be created or opened
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-live-");
      Path file = dir.resolve("live.vec");
      writer = LongVec.open(file);
      writer.reserve(1 << 20);
      writer.sync();
      reader = LongVec.open(file, VecOptions.defaults().withReadOnly(true));
      boolean spin = how.equals("spin");
      tail =
          new Thread(
              () -> {
                try {
                  while (!stop) {
                    long n = spin ? reader.refresh() : reader.awaitCommit(Duration.ofMillis(100));
                    if (n != seenSize) {
                      seenSize = n;
                    }
                  }
                } catch (Throwable t) {
                  failure = t;
                }
              },
              "live-reader");
      tail.setDaemon(true);
      tail.start();
    }

    /**
     * One commit: appends an element and syncs; the measurement starts when this returns.
     *
     * @throws IOException if the sync fails
     */
    @Setup(Level.Invocation)
    public void commit() throws IOException {
      writer.add(expected);
      writer.sync();
      expected = writer.size();
    }

    /**
     * Stops the reader thread, closes both vectors and deletes the file.
     *
     * @throws Exception if closing fails or the reader thread failed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      stop = true;
      tail.join(10_000);
      reader.close();
      writer.close();
      BenchFiles.deleteTree(dir);
      if (failure != null) {
        throw new IllegalStateException("the reader thread failed", failure);
      }
    }
  }

  /**
   * Waits until the reader shows the commit the setup just made.
   *
   * @param v the writer and the reader
   * @return the size the reader shows
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 4, time = 3)
  public long syncToSeen(Visibility v) {
    long want = v.expected;
    while (v.seenSize < want) {
      if (v.failure != null) {
        throw new IllegalStateException("the reader thread failed", v.failure);
      }
      Thread.onSpinWait();
    }
    return v.seenSize;
  }

  /** A reader whose writer is open and idle. */
  @State(Scope.Thread)
  public static class Idle {
    private Path dir;
    private LongVec writer;
    private LongVec reader;

    /** Creates the state; JMH calls this. */
    public Idle() {}

    /**
     * Opens a writer with a thousand committed elements, and a reader.
     *
     * @throws IOException if the file cannot be created or opened
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchFiles.newDirectory("mmapvec-bench-idle-");
      Path file = dir.resolve("idle.vec");
      writer = LongVec.open(file);
      for (int i = 0; i < 1000; i++) {
        writer.add(i);
      }
      writer.sync();
      reader = LongVec.open(file, VecOptions.defaults().withReadOnly(true));
    }

    /**
     * Closes both vectors and deletes the file.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      reader.close();
      writer.close();
      BenchFiles.deleteTree(dir);
    }
  }

  /**
   * One {@code refresh()} that finds nothing new.
   *
   * @param s the idle writer and its reader
   * @return the size shown
   * @throws IOException never here (no remap)
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 4, time = 1)
  public long refreshUnchanged(Idle s) throws IOException {
    return s.reader.refresh();
  }
}
