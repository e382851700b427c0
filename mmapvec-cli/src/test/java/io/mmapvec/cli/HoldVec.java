package io.mmapvec.cli;

import io.mmapvec.LongVec;
import java.nio.file.Path;

/**
 * A child-JVM program for lock tests: opens the LongVec at {@code args[0]} for writing, prints
 * {@code READY}, and holds it until its standard input ends (or a minute passes), then exits.
 */
public final class HoldVec {
  private HoldVec() {}

  /**
   * Holds the file.
   *
   * @param args the file
   * @throws Exception on any failure (the parent sees no READY)
   */
  public static void main(String[] args) throws Exception {
    Thread guard =
        new Thread(
            () -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                return;
              }
              Runtime.getRuntime().halt(2);
            });
    guard.setDaemon(true);
    guard.start();
    try (LongVec v = LongVec.open(Path.of(args[0]))) {
      v.add(42);
      v.sync();
      System.out.println("READY");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the parent closes our input
      }
    }
  }
}
