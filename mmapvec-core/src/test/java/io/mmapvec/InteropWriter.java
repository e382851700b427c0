package io.mmapvec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer in its own JVM for the tests of the readers outside Java (python/tests): {@code hold
 * FILE} opens FILE writable (a {@link LongVec} with the fixtures' options), prints {@code READY}
 * and keeps it open until its standard input ends.
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
    if (args.length != 2 || !args[0].equals("hold")) {
      System.err.println("usage: InteropWriter hold FILE");
      System.exit(2);
    }
    try (LongVec v = LongVec.open(Path.of(args[1]), ForeignReaders.OPTIONS)) {
      System.out.println("READY " + v.size());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the end of standard input
      }
    }
  }
}
