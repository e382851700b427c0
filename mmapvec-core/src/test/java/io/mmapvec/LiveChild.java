package io.mmapvec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The child JVMs of {@code LiveReadersIT}: a writer that appends {@link #f}, rewrites ranges in
 * place (with {@link #f} or {@link #g}), truncates and shrinks, under an interval sync policy plus
 * explicit syncs, until it is killed; and a reader that tails the file and checks every element it
 * reads.
 *
 * <pre>
 *   LiveChild writer FILE SEED     prints "OPEN size", then works until killed
 *   LiveChild reader FILE STOPFILE prints "READY", "SEEN seq size rewrites" per commit shown,
 *                                  "FAIL ..." on any wrong element, "DONE ..." when STOPFILE exists
 * </pre>
 */
final class LiveChild {
  private LiveChild() {}

  /** The most elements the writer keeps; above it, it truncates. */
  static final int CAP = 200_000;

  /** The value appended at index {@code i}; never 0, so unwritten memory shows. */
  static long f(long i) {
    return i * 0x9E3779B97F4A7C15L | 1;
  }

  /** The other value an in-place rewrite may store at index {@code i}. */
  static long g(long i) {
    return ~f(i);
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    switch (args[0]) {
      case "writer" -> writer(file, Long.parseLong(args[2]));
      case "reader" -> reader(file, Path.of(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void writer(Path file, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    VecOptions options =
        VecOptions.defaults()
            .withSyncPolicy(SyncPolicy.every(Duration.ofMillis(1 + random.nextInt(20))));
    LongVec w = LongVec.open(file, options);
    System.out.println("OPEN " + w.size());
    System.out.flush();
    while (true) {
      int op = random.nextInt(100);
      long n = w.size();
      if (op < 70) {
        int k = 1 + random.nextInt(2000);
        for (int j = 0; j < k; j++) {
          w.add(f(n + j));
        }
      } else if (op < 82 && n > 0) {
        long from = random.nextLong(n);
        long to = Math.min(n, from + 1 + random.nextInt(5000));
        boolean other = random.nextBoolean();
        for (long i = from; i < to; i++) {
          w.set(i, other ? g(i) : f(i));
        }
      } else if (op < 86) {
        w.truncate(n == 0 ? 0 : random.nextLong(n));
      } else if (op < 96) {
        w.sync();
      } else if (op < 98) {
        w.shrinkToFit(); // deferred while readers are open
      } else {
        Thread.onSpinWait();
      }
      if (w.size() > CAP) {
        w.truncate(random.nextLong(CAP / 2));
      }
    }
  }

  private static void reader(Path file, Path stop) throws Exception {
    try (LongVec r = LongVec.open(file, VecOptions.defaults().withReadOnly(true))) {
      System.out.println("READY " + r.size());
      long checked = 0;
      long rereads = 0;
      long commits = 0;
      long checkedUpTo = 0;
      long shownSize = -1;
      long shownRewrites = r.rewriteCount();
      long shownSeq = -1;
      while (!Files.exists(stop)) {
        r.awaitCommit(Duration.ofMillis(20));
        long seq = r.storage.commitSequence();
        if (seq == shownSeq) {
          continue;
        }
        long size = r.size();
        long rewrites = r.rewriteCount();
        commits++;
        System.out.println("SEEN " + seq + " " + size + " " + rewrites);
        if (shownSize >= 0 && size < shownSize && rewrites == shownRewrites) {
          System.out.println(
              "FAIL size went from " + shownSize + " to " + size + " with an unchanged counter");
        }
        if (rewrites != shownRewrites) {
          checkedUpTo = 0; // elements below the old size may have changed: read them again
          rereads++;
        }
        for (long i = Math.min(checkedUpTo, size); i < size; i++) {
          long v = r.get(i);
          if (v != f(i) && v != g(i)) {
            System.out.println(
                "FAIL element " + i + " of commit " + seq + " (size " + size + ") is " + v);
            break;
          }
          checked++;
        }
        checkedUpTo = size;
        shownSize = size;
        shownRewrites = rewrites;
        shownSeq = seq;
      }
      System.out.println("DONE commits=" + commits + " checked=" + checked + " rereads=" + rereads);
    }
  }
}
