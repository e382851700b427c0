package io.mmapvec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer in its own JVM for the tests of the readers outside Java (python/tests), on a {@link
 * LongVec} with the fixtures' options. Both modes print {@code READY <size>} once the file is open
 * and keep it open until their standard input ends:
 *
 * <ul>
 *   <li>{@code hold FILE}: only that;
 *   <li>{@code append FILE COUNT BATCH}: appends {@link #value(long) value(i)} for i from the size
 *       to COUNT, syncing after every BATCH elements and printing {@code COMMITTED <size>} once
 *       each sync returned; halfway it rewrites elements 0 to 9 in place with their own values (a
 *       rewriting commit); then prints {@code DONE <size>}.
 *   <li>{@code group DIR COUNT BATCH}: the same on a {@link VecGroup} with columns {@code a}
 *       ({@code value(i)}) and {@code b} ({@code i * 0.5}), one group commit per batch, without the
 *       rewrite.
 * </ul>
 */
public final class InteropWriter {
  private InteropWriter() {}

  /**
   * Runs the writer.
   *
   * @param args {@code hold FILE}
   * @throws Exception on any failure: the exit status is then non-zero
   */
  public static void main(String[] args) throws Exception {
    boolean hold = args.length == 2 && args[0].equals("hold");
    boolean append = args.length == 4 && args[0].equals("append");
    if (args.length == 4 && args[0].equals("group")) {
      group(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
      return;
    }
    if (!hold && !append) {
      System.err.println("usage: InteropWriter hold FILE | append FILE COUNT BATCH");
      System.exit(2);
    }
    try (LongVec v = LongVec.open(Path.of(args[1]), ForeignReaders.OPTIONS)) {
      System.out.println("READY " + v.size());
      System.out.flush();
      if (append) {
        long count = Long.parseLong(args[2]);
        long batch = Long.parseLong(args[3]);
        for (long i = v.size(); i < count; i++) {
          v.add(value(i));
          if ((i + 1) % batch == 0 || i + 1 == count) {
            if (i + 1 >= count / 2 && i + 1 - batch < count / 2) {
              for (long k = 0; k < 10; k++) {
                v.set(k, value(k)); // a rewrite below the committed size
              }
            }
            v.sync();
            System.out.println("COMMITTED " + v.size());
            System.out.flush();
          }
        }
        System.out.println("DONE " + v.size());
        System.out.flush();
      }
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the end of standard input
      }
    }
  }

  private static void group(Path dir, long count, long batch) throws Exception {
    try (VecGroup g = VecGroup.open(dir, ForeignReaders.OPTIONS)) {
      LongVec a = g.longVec("a");
      DoubleVec b = g.doubleVec("b");
      g.sync();
      System.out.println("READY " + a.size());
      System.out.flush();
      for (long i = a.size(); i < count; i++) {
        a.add(value(i));
        b.add(i * 0.5);
        if ((i + 1) % batch == 0 || i + 1 == count) {
          g.sync();
          System.out.println("COMMITTED " + a.size());
          System.out.flush();
        }
      }
      System.out.println("DONE " + a.size());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the end of standard input
      }
    }
  }

  /** {@return what {@code append} stores at index {@code i}} */
  static long value(long i) {
    return i * i + 7;
  }
}
