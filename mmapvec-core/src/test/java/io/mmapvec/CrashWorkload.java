package io.mmapvec;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * The seeded random workload of the crash tests (durability tests 1, 2 and 3): a stream of
 * operations on a {@link LongVec} that uses every mutating method ({@code add}, {@code addAll},
 * {@code set}, {@code copyFrom}, {@code insertAt}, {@code removeAt}, {@code swapRemoveAt}, {@code
 * removeLast}, {@code truncate}, {@code resize}, {@code reserve}, {@code shrinkToFit}, {@code
 * clear}, writes through {@code asSegment()} in some profiles) with {@code sync()} now and then,
 * and ends with {@code close()}.
 *
 * <p>The stream depends only on the seed, the profile and the vector's size before each operation,
 * so a parent that replays it on a {@link CrashModel} sees exactly the operations a child applied
 * to its vector. Sync points are {@code sync()}, {@code shrinkToFit()} (which commits before it
 * shrinks) and the final {@code close()}; they are numbered from 1 (0 is the empty file that {@code
 * open} creates).
 *
 * <p>Every value written is {@link #value(int, int)}: it names the operation that wrote it, so a
 * wrong element in a failure message says where it came from.
 *
 * <p><b>Threads:</b> one thread per instance.
 */
final class CrashWorkload {

  /** Whether {@code -Dmmapvec.long=true} asks for the long crash modes. */
  static final boolean LONG = Boolean.getBoolean("mmapvec.long");

  /** Past this many elements a huge {@code reserve} outgrows the native address reservation. */
  static final long HUGE_RESERVE = (1L << 30) / 8 + 4096;

  /** What an operation does. */
  enum Kind {
    ADD,
    ADD_ALL,
    SET,
    COPY_FROM,
    INSERT_AT,
    REMOVE_AT,
    SWAP_REMOVE_AT,
    REMOVE_LAST,
    TRUNCATE,
    RESIZE,
    RESERVE,
    CLEAR,
    SEGMENT_WRITE,
    SYNC,
    SHRINK_TO_FIT,
    CLOSE
  }

  /**
   * How a workload behaves.
   *
   * @param name for messages
   * @param maxSize the size the workload hovers below (it cuts the vector back when above)
   * @param maxBatch the most elements one {@code addAll}, {@code copyFrom} or {@code resize} moves
   * @param syncEvery one operation in this many (on average) is a {@code sync()}
   * @param segmentWrites whether writes through {@code asSegment()} are among the operations
   * @param hugeReserveAtOp the operation number that is a {@code reserve} of {@link #HUGE_RESERVE}
   *     elements (past the native backend's address reservation, so the mapping moves), or 0
   * @param prefill how many elements the first operation (an {@code addAll}) appends, or 0
   */
  record Profile(
      String name,
      int maxSize,
      int maxBatch,
      int syncEvery,
      boolean segmentWrites,
      int hugeReserveAtOp,
      int prefill) {

    Profile withHugeReserveAt(int op) {
      return new Profile(
          name + "+hugeReserve", maxSize, maxBatch, syncEvery, segmentWrites, op, prefill);
    }

    /** {@return the profile named {@code name}, as a child's command line gives it} */
    static Profile named(String name) {
      Profile base =
          switch (name.replace("+hugeReserve", "")) {
            case "kill9" -> KILL_NINE;
            case "points" -> POINTS;
            default -> throw new IllegalArgumentException("profile " + name);
          };
      return name.endsWith("+hugeReserve") ? base.withHugeReserveAt(40) : base;
    }
  }

  /** Child JVMs killed at random: a few thousand elements, syncs often, growth and shrink often. */
  static final Profile KILL_NINE = new Profile("kill9", 3000, 400, 10, false, 0, 0);

  /** Child JVMs halted at a crash point: like {@link #KILL_NINE}. */
  static final Profile POINTS = new Profile("points", 3000, 400, 8, false, 0, 0);

  /** One operation, with everything needed to apply it to a vector or to a model. */
  record Op(int number, Kind kind, long index, long count, long value, long[] values, int offset) {

    /** {@return whether the operation is a sync point (commits the length)} */
    boolean isSyncPoint() {
      return kind == Kind.SYNC || kind == Kind.SHRINK_TO_FIT || kind == Kind.CLOSE;
    }

    /** {@return how many elements the vector must hold after the operation, for growth} */
    long neededCapacity(long size) {
      return switch (kind) {
        case ADD, INSERT_AT -> size + 1;
        case ADD_ALL -> size + values.length;
        case RESIZE -> count;
        case RESERVE -> size + count;
        default -> 0;
      };
    }

    /**
     * Applies the operation to {@code v}. {@return the removed element for the removing operations,
     * else 0}
     */
    long applyTo(LongVec v) throws IOException {
      switch (kind) {
        case ADD -> v.add(value);
        case ADD_ALL -> v.addAll(values);
        case SET -> v.set(index, value);
        case COPY_FROM -> v.copyFrom(index, values, offset, (int) count);
        case INSERT_AT -> v.insertAt(index, value);
        case REMOVE_AT -> {
          return v.removeAt(index);
        }
        case SWAP_REMOVE_AT -> {
          return v.swapRemoveAt(index);
        }
        case REMOVE_LAST -> {
          return v.removeLast();
        }
        case TRUNCATE -> v.truncate(count);
        case RESIZE -> v.resize(count, value);
        case RESERVE -> v.reserve(count);
        case CLEAR -> v.clear();
        case SEGMENT_WRITE -> {
          MemorySegment s = v.asSegment();
          for (int j = 0; j < values.length; j += 2) {
            s.setAtIndex(JAVA_LONG, values[j], values[j + 1]);
          }
        }
        case SYNC -> v.sync();
        case SHRINK_TO_FIT -> v.shrinkToFit();
        case CLOSE -> v.close();
      }
      return 0;
    }

    /**
     * Applies the operation's effect on the contents to {@code m} (sync points change nothing
     * there; the caller calls {@link CrashModel#sync()} once they returned). {@return the removed
     * element for the removing operations, else 0}
     */
    long applyTo(CrashModel m) {
      switch (kind) {
        case ADD -> m.add(value);
        case ADD_ALL -> m.addAll(values);
        case SET -> m.set((int) index, value);
        case COPY_FROM -> m.copyFrom((int) index, values, offset, (int) count);
        case INSERT_AT -> m.insertAt((int) index, value);
        case REMOVE_AT -> {
          return m.removeAt((int) index);
        }
        case SWAP_REMOVE_AT -> {
          return m.swapRemoveAt((int) index);
        }
        case REMOVE_LAST -> {
          return m.removeLast();
        }
        case TRUNCATE -> m.truncate(count);
        case RESIZE -> m.resize((int) count, value);
        case CLEAR -> m.truncate(0);
        case SEGMENT_WRITE -> {
          for (int j = 0; j < values.length; j += 2) {
            m.set((int) values[j], values[j + 1]);
          }
        }
        case RESERVE, SYNC, SHRINK_TO_FIT, CLOSE -> {}
      }
      return 0;
    }

    @Override
    public String toString() {
      String args =
          switch (kind) {
            case ADD -> describe(value);
            case ADD_ALL -> values.length + " values";
            case SET, INSERT_AT -> index + ", " + describe(value);
            case COPY_FROM -> index + ", src[" + offset + ".." + (offset + count) + ")";
            case REMOVE_AT, SWAP_REMOVE_AT -> Long.toString(index);
            case TRUNCATE, RESERVE -> Long.toString(count);
            case RESIZE -> count + ", " + describe(value);
            case SEGMENT_WRITE -> values.length / 2 + " elements";
            default -> "";
          };
      return "#" + number + " " + kind + "(" + args + ")";
    }
  }

  private final SplittableRandom rnd;
  private final Profile profile;
  private final int maxOps;
  private int number;
  private boolean closed;

  /**
   * @param seed the seed; the same seed, profile and sizes give the same operations
   * @param profile how the workload behaves
   * @param maxOps how many operations before the final {@code close()}
   */
  CrashWorkload(long seed, Profile profile, int maxOps) {
    this.rnd = new SplittableRandom(seed);
    this.profile = profile;
    this.maxOps = maxOps;
  }

  /** {@return the element value written by operation {@code op} as its {@code j}-th value} */
  static long value(int op, int j) {
    return (1L << 62) | ((long) op << 20) | j;
  }

  /** {@return a value as "op#N[j]" when it is one of {@link #value}'s, else in hex} */
  static String describe(long v) {
    if ((v >>> 62) == 1) {
      return "op#" + ((v >>> 20) & ((1L << 42) - 1)) + "[" + (v & 0xFFFFF) + "]";
    }
    return "0x" + Long.toHexString(v);
  }

  /**
   * {@return a well-mixed seed for the {@code n}-th round of a test with base seed {@code base}}
   */
  static long mix(long base, long n) {
    return new SplittableRandom(base + 0x9E3779B97F4A7C15L * (n + 1)).nextLong();
  }

  /**
   * {@return the base seed of a test}: {@code -Dmmapvec.crash.seed=N} if given, else {@code fixed}
   * in the normal suite and a random one in the long mode (which is for exploring)
   */
  static long baseSeed(long fixed) {
    String s = System.getProperty("mmapvec.crash.seed");
    if (s != null && !s.isBlank()) {
      return Long.parseLong(s.trim());
    }
    return LONG ? new SplittableRandom().nextLong() : fixed;
  }

  /** {@return the operations generated so far} */
  int count() {
    return number;
  }

  /**
   * {@return the next operation for a vector of {@code size} elements, or null after the final
   * {@code close()}}
   */
  Op next(long size) {
    if (closed) {
      return null;
    }
    int n = ++number;
    if (n > maxOps) {
      closed = true;
      return op(n, Kind.CLOSE);
    }
    if (n == profile.hugeReserveAtOp()) {
      return new Op(n, Kind.RESERVE, 0, HUGE_RESERVE, 0, null, 0);
    }
    if (n == 1 && profile.prefill() > 0) {
      return addAll(n, profile.prefill());
    }
    if (rnd.nextInt(profile.syncEvery()) == 0) {
      return op(n, Kind.SYNC);
    }
    int batch = profile.maxBatch();
    if (size > profile.maxSize() && rnd.nextInt(3) > 0) {
      // Cut back, with the operations that shrink.
      return switch (rnd.nextInt(4)) {
        case 0 -> new Op(n, Kind.TRUNCATE, 0, rnd.nextLong(size / 2 + 1), 0, null, 0);
        case 1 ->
            new Op(n, Kind.RESIZE, 0, size - 1 - rnd.nextLong(size / 2), value(n, 0), null, 0);
        case 2 -> op(n, Kind.SHRINK_TO_FIT);
        default ->
            new Op(n, Kind.TRUNCATE, 0, size - 1 - rnd.nextLong(Math.min(size, batch)), 0, null, 0);
      };
    }
    int r = rnd.nextInt(100);
    if (size == 0 && r >= 22 && r < 93) {
      r = 22; // the operations below need elements: fill up first
    }
    if (r < 22 || r >= 93) {
      return new Op(n, Kind.ADD, 0, 0, value(n, 0), null, 0);
    }
    if (r < 30) {
      return addAll(
          n, rnd.nextInt(4) == 0 ? rnd.nextInt(batch + 1) : rnd.nextInt(Math.min(batch, 16) + 1));
    }
    if (r < 48) {
      return new Op(n, Kind.SET, rnd.nextLong(size), 0, value(n, 0), null, 0);
    }
    if (r < 54) {
      int count = 1 + rnd.nextInt((int) Math.min(size, batch));
      int offset = rnd.nextInt(4);
      long[] src = new long[offset + count + rnd.nextInt(4)];
      for (int j = 0; j < src.length; j++) {
        src[j] = value(n, j);
      }
      return new Op(n, Kind.COPY_FROM, rnd.nextLong(size - count + 1), count, 0, src, offset);
    }
    if (r < 59) {
      return new Op(n, Kind.INSERT_AT, rnd.nextLong(size + 1), 0, value(n, 0), null, 0);
    }
    if (r < 64) {
      return new Op(n, Kind.REMOVE_AT, rnd.nextLong(size), 0, 0, null, 0);
    }
    if (r < 69) {
      return new Op(n, Kind.SWAP_REMOVE_AT, rnd.nextLong(size), 0, 0, null, 0);
    }
    if (r < 74) {
      return op(n, Kind.REMOVE_LAST);
    }
    if (r < 78) {
      long to =
          rnd.nextInt(8) == 0
              ? size + rnd.nextLong(8) // not shorter: a no-op
              : size - 1 - rnd.nextLong(Math.min(size, batch));
      return new Op(n, Kind.TRUNCATE, 0, to, 0, null, 0);
    }
    if (r < 84) {
      long to =
          rnd.nextBoolean()
              ? size - rnd.nextLong(Math.min(size, batch) + 1)
              : size + 1 + rnd.nextLong(batch);
      return new Op(n, Kind.RESIZE, 0, to, value(n, 0), null, 0);
    }
    if (r < 88) {
      long extra =
          rnd.nextInt(8) == 0
              ? rnd.nextLong(2L * profile.maxSize() + 1)
              : rnd.nextLong(2L * batch + 1);
      return new Op(n, Kind.RESERVE, 0, extra, 0, null, 0);
    }
    if (r < 90) {
      return op(n, Kind.SHRINK_TO_FIT);
    }
    if (r < 91) {
      return op(n, Kind.CLEAR);
    }
    if (!profile.segmentWrites()) {
      return new Op(n, Kind.SET, rnd.nextLong(size), 0, value(n, 0), null, 0);
    }
    int count = 1 + rnd.nextInt(4);
    long[] pairs = new long[2 * count];
    for (int j = 0; j < count; j++) {
      pairs[2 * j] = rnd.nextLong(size);
      pairs[2 * j + 1] = value(n, j);
    }
    return new Op(n, Kind.SEGMENT_WRITE, 0, count, 0, pairs, 0);
  }

  private static Op addAll(int n, int count) {
    long[] values = new long[count];
    for (int j = 0; j < count; j++) {
      values[j] = value(n, j);
    }
    return new Op(n, Kind.ADD_ALL, 0, count, 0, values, 0);
  }

  private static Op op(int n, Kind kind) {
    return new Op(n, kind, 0, 0, 0, null, 0);
  }

  /**
   * Replays the workload on {@code model} through sync point {@code k} (0: none) and then on
   * through the operations that follow, up to but not including sync point {@code k + 1}, which is
   * returned (null if the workload ended first). The model's synced state is then sync {@code k}'s,
   * and its current state is what sync {@code k + 1} commits.
   */
  static Op replayUntilSync(CrashWorkload w, CrashModel model, int k) {
    int seq = 0;
    while (true) {
      Op op = w.next(model.size());
      if (op == null) {
        return null;
      }
      if (op.isSyncPoint()) {
        if (seq == k) {
          return op;
        }
        model.sync();
        seq++;
      } else {
        op.applyTo(model);
      }
    }
  }
}
