package io.mmapvec;

import io.mmapvec.StructRecords.Tick;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link GroupKillNineIT}: appends rows to several columns of a group until
 * killed, and prints {@code SYNCED n} only after a commit of {@code n} rows returned. Row {@code i}
 * holds values derived from {@code i} alone, so the parent can check every value after a crash.
 *
 * <p>Mode {@code columnar}: a {@link ColumnarVec} of {@link Tick} with {@code SyncPolicy.every} (a
 * short random interval), plus explicit commits. Mode {@code group}: a {@link VecGroup} of three
 * independent columns appended in step, with {@code everyWrites} on the group and explicit commits.
 *
 * <p>Mode {@code hold}: opens the group for writing and waits to be killed (for lock tests).
 *
 * <p>Mode {@code live} (for {@link GroupLiveReadersIT}): a {@link VecGroup} with columns {@code a}
 * (long), {@code time}, {@code price}, {@code qty}, continuing after the rows it finds, with
 * explicit commits at row boundaries only (every 1 to 40 rows), so every commit has one length.
 *
 * <p>Arguments: directory, seed, mode.
 */
public final class GroupCrashChild {
  private GroupCrashChild() {}

  static Tick tick(long i) {
    return new Tick(i, i * 0.5, (int) (i * 3));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    SplittableRandom r = new SplittableRandom(Long.parseLong(args[1]));
    if (args[2].equals("hold")) {
      try (VecGroup g = VecGroup.open(dir)) {
        System.out.println("OPENED " + g.names());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
      }
    }
    if (args[2].equals("live")) {
      live(dir, r);
    }
    boolean columnar = args[2].equals("columnar");
    System.out.println("START");
    System.out.flush();
    if (columnar) {
      VecOptions o =
          VecOptions.defaults()
              .withSyncPolicy(SyncPolicy.every(Duration.ofMillis(1 + r.nextInt(20))));
      try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class, o)) {
        System.out.println("OPENED");
        System.out.flush();
        for (long i = 0; ; i++) {
          v.add(tick(i));
          // Rare explicit commits: most rows are committed by the background flusher.
          if (r.nextInt(20_000) == 0) {
            v.sync();
            System.out.println("SYNCED " + (i + 1));
            System.out.flush();
          }
        }
      }
    }
    VecOptions o =
        VecOptions.defaults().withSyncPolicy(SyncPolicy.everyWrites(1 + r.nextInt(5000)));
    try (VecGroup g = VecGroup.open(dir, o)) {
      LongVec time = g.longVec("time");
      DoubleVec price = g.doubleVec("price");
      IntVec qty = g.intVec("qty");
      System.out.println("OPENED");
      System.out.flush();
      for (long i = 0; ; i++) {
        Tick t = tick(i);
        time.add(t.time());
        price.add(t.price());
        qty.add(t.qty());
        if (r.nextInt(500) == 0) {
          g.sync();
          System.out.println("SYNCED " + (i + 1));
          System.out.flush();
        }
      }
    }
  }

  private static void live(Path dir, SplittableRandom r) throws Exception {
    try (VecGroup g = VecGroup.open(dir)) {
      LongVec a = g.longVec("a");
      LongVec time = g.longVec("time");
      DoubleVec price = g.doubleVec("price");
      IntVec qty = g.intVec("qty");
      long n = time.size();
      if (price.size() != n || qty.size() != n) {
        throw new IllegalStateException("columns of different lengths at open: " + g);
      }
      if (a.size() != n) { // a group made by a lock test: column a alone, of other values
        a.truncate(0);
        while (a.size() < n) {
          a.add(a.size());
        }
      }
      g.sync();
      System.out.println("OPENED " + n);
      System.out.flush();
      for (long i = n; ; i++) {
        Tick t = tick(i);
        a.add(i);
        time.add(t.time());
        price.add(t.price());
        qty.add(t.qty());
        if (r.nextInt(40) == 0) {
          g.sync();
          System.out.println("SYNCED " + (i + 1));
          System.out.flush();
        }
      }
    }
  }
}
