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

  /** {@return what {@code append} stores at index {@code i}} */
  static long value(long i) {
    return i * i + 7;
  }
}
