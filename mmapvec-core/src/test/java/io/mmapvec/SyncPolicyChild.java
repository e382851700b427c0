package io.mmapvec;

import io.mmapvec.internal.storage.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A child-JVM program (started through {@link ChildJvm} by {@link SyncPolicyTest}) that writes to a
 * {@link LongVec} under a {@link SyncPolicy} and waits to be killed with SIGKILL. It prints a line
 * on standard output after each step, so the parent knows what had returned before the kill.
 *
 * <p>Usage:
 *
 * <ul>
 *   <li>{@code adds PATH native|channel everyWrites:N|every:MILLIS COUNT}: adds {@link #value(long)
 *       value(0)} to {@code value(COUNT - 1)}, printing {@code WROTE i} after the i-th add returns,
 *       then {@code ADDED COUNT}, then sleeps;
 *   <li>{@code race PATH native|channel SEED OPS}: opens with {@code every(1 ms)} and runs {@code
 *       OPS} steps of the {@link Workload} with that seed (pausing 1 ms every 100 steps), calling
 *       {@code sync()} every {@link #SYNC_EVERY} steps and printing {@code SYNC steps size} after
 *       it returns; prints {@code AT steps} every 1000 steps and {@code DONE} at the end, then
 *       sleeps.
 * </ul>
 *
 * <p>It never closes the vector: the only way out is the parent's SIGKILL.
 */
public final class SyncPolicyChild {
  /** Steps between explicit syncs in {@code race} mode. */
  static final int SYNC_EVERY = 997;

  private SyncPolicyChild() {}

  /** {@return the value the {@code adds} mode stores at index {@code i}: never zero} */
  static long value(long i) {
    return i * 1_000_003L + 17;
  }

  static Backend backend(String name) {
    return switch (name) {
      case "native" -> Backend.nativeBackend();
      case "channel" -> Backend.channelBackend();
      default -> throw new IllegalArgumentException("backend " + name);
    };
  }

  static SyncPolicy policy(String spec) {
    String[] p = spec.split(":");
    return switch (p[0]) {
      case "everyWrites" -> SyncPolicy.everyWrites(Long.parseLong(p[1]));
      case "every" -> SyncPolicy.every(Duration.ofMillis(Long.parseLong(p[1])));
      case "manual" -> SyncPolicy.manual();
      default -> throw new IllegalArgumentException("policy " + spec);
    };
  }

  public static void main(String[] args) throws Exception {
    Path path = Path.of(args[1]);
    Backend backend = backend(args[2]);
    switch (args[0]) {
      case "adds" -> {
        VecOptions options = VecOptions.defaults().withSyncPolicy(policy(args[3]));
        int count = Integer.parseInt(args[4]);
        LongVec v = LongVec.open(path, options, backend);
        for (int i = 0; i < count; i++) {
          v.add(value(i));
          System.out.println("WROTE " + (i + 1));
        }
        System.out.println("ADDED " + count);
      }
      case "race" -> {
        VecOptions options =
            VecOptions.defaults().withSyncPolicy(SyncPolicy.every(Duration.ofMillis(1)));
        long seed = Long.parseLong(args[3]);
        int ops = Integer.parseInt(args[4]);
        LongVec v = LongVec.open(path, options, backend);
        Workload w = new Workload(seed, new VecTarget(v));
        System.out.println("STARTED");
        for (int step = 1; step <= ops; step++) {
          w.step();
          if (step % SYNC_EVERY == 0) {
            v.sync();
            System.out.println("SYNC " + step + " " + v.size());
          }
          if (step % 1000 == 0) {
            System.out.println("AT " + step);
          }
          if (step % 100 == 0) {
            Thread.sleep(1); // at least 10 ms per 1000 steps: the parent's kill lands mid-run
          }
        }
        System.out.println("DONE");
      }
      default -> throw new IllegalArgumentException("mode " + args[0]);
    }
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** What a {@link Workload} writes to: the vector, or an in-heap model. */
  interface Target {
    long size();

    void add(long value);

    void set(long index, long value);

    void insertAt(long index, long value);

    void truncate(long newSize);
  }

  /**
   * A seeded random sequence of adds, sets, insertAts and truncates with unique, non-zero values.
   */
  static final class Workload {
    /** The size is kept below this, so that shifting stays cheap. */
    static final int MAX_SIZE = 256;

    private final SplittableRandom random;
    private final Target target;
    private long nextValue = 1;

    Workload(long seed, Target target) {
      this.random = new SplittableRandom(seed);
      this.target = target;
    }

    /** Performs one step; the choice depends only on the seed and the steps before. */
    void step() {
      long n = target.size();
      int r = random.nextInt(100);
      if (n >= MAX_SIZE) {
        target.truncate(random.nextLong(n / 2));
      } else if (n == 0 || r < 40) {
        target.add(nextValue++);
      } else if (r < 70) {
        target.set(random.nextLong(n), nextValue++);
      } else if (r < 90) {
        target.insertAt(random.nextLong(n + 1), nextValue++);
      } else {
        target.truncate(random.nextLong(n));
      }
    }
  }

  /** Runs a workload on a vector. */
  record VecTarget(LongVec v) implements Target {
    @Override
    public long size() {
      return v.size();
    }

    @Override
    public void add(long value) {
      v.add(value);
    }

    @Override
    public void set(long index, long value) {
      v.set(index, value);
    }

    @Override
    public void insertAt(long index, long value) {
      v.insertAt(index, value);
    }

    @Override
    public void truncate(long newSize) {
      v.truncate(newSize);
    }
  }

  /**
   * The in-heap model of a vector. Besides the contents it can record every (index, value) pair
   * ever stored at an index, including by the shift of an insert, for the crash check.
   */
  static final class Model implements Target {
    private long[] a = new long[16];
    private int n;
    private final boolean recordPairs;
    private long[] pairs = new long[1024];
    private int pairCount;

    Model(boolean recordPairs) {
      this.recordPairs = recordPairs;
    }

    long get(int i) {
      return a[i];
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }

    private void store(int i, long value) {
      a[i] = value;
      if (recordPairs) {
        if (pairCount == pairs.length) {
          pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[pairCount++] = pairKey(i, value);
      }
    }

    private static long pairKey(long index, long value) {
      if (index >= 1L << 20 || value >= 1L << 40 || value < 0) {
        throw new IllegalStateException("pair out of range: " + index + ", " + value);
      }
      return (index << 40) | value;
    }

    /** {@return every recorded pair, sorted, for {@link #everHeld(long[], long, long)}} */
    long[] sortedPairs() {
      long[] p = Arrays.copyOf(pairs, pairCount);
      Arrays.sort(p);
      return p;
    }

    /** {@return whether {@code value} was ever stored at {@code index}, given sorted pairs} */
    static boolean everHeld(long[] sortedPairs, long index, long value) {
      if (index >= 1L << 20 || value >= 1L << 40 || value < 0) {
        return false;
      }
      return Arrays.binarySearch(sortedPairs, pairKey(index, value)) >= 0;
    }

    @Override
    public long size() {
      return n;
    }

    @Override
    public void add(long value) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      store(n++, value);
    }

    @Override
    public void set(long index, long value) {
      store((int) index, value);
    }

    @Override
    public void insertAt(long index, long value) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      for (int i = n; i > index; i--) {
        store(i, a[i - 1]);
      }
      n++;
      store((int) index, value);
    }

    @Override
    public void truncate(long newSize) {
      if (newSize < n) {
        n = (int) newSize;
      }
    }
  }
}
