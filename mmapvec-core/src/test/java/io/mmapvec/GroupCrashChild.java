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
}
