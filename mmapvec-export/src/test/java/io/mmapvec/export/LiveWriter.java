package io.mmapvec.export;

import io.mmapvec.LongVec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child-JVM writer for {@link LiveExportTest}: opens the LongVec at {@code args[0]} for writing,
 * appends {@code args[1]} values {@code 3 * i} and syncs, then appends {@code args[2]} values
 * {@code -1} without syncing, prints {@code READY} and holds the file. Each line {@code rewrite} on
 * its input sets element 0 to one more than before and syncs (a commit that rewrites), then prints
 * {@code DONE}. Exits when its input ends, or after a minute.
 */
public final class LiveWriter {
  private LiveWriter() {}

  /**
   * Runs the writer.
   *
   * @param args the file, the committed count, the uncommitted count
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
      int committed = Integer.parseInt(args[1]);
      for (int i = 0; i < committed; i++) {
        v.add(3L * i);
      }
      v.sync();
      for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
        v.add(-1);
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("rewrite")) {
          v.set(0, v.get(0) + 1);
          v.sync();
          System.out.println("DONE");
          System.out.flush();
        }
      }
    }
  }
}
