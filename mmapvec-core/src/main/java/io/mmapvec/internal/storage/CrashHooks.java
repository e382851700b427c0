package io.mmapvec.internal.storage;

import java.io.IOException;

/**
 * Test-only observation, crash and fault points on every step of sync, growth, create and shrink
 * (durability tests 2 and 3, rule 7). Production code pays one static-final null check and one
 * volatile read per step, only on the slow paths.
 *
 * <p>A child JVM started with {@code -Dmmapvec.test.crashAt=sync.afterData} halts (exit status
 * {@link #HALT_STATUS}, no shutdown hooks, no finalisation: as close to {@code kill -9} as Java
 * gets) the first time it reaches that point. In-process tests may instead install a {@link
 * Listener}: it sees every point and every range that became durable (the power-loss simulator
 * snapshots the file there), and may throw an {@link IOException} to inject a failure.
 */
public final class CrashHooks {
  /** The exit status of a JVM halted at a crash point. */
  public static final int HALT_STATUS = 77;

  private static final String HALT_AT = System.getProperty("mmapvec.test.crashAt");
  private static volatile Listener listener;

  private CrashHooks() {}

  /** What a test sees; every method runs in the thread that reached the point. */
  public interface Listener {
    /**
     * A point was reached, such as {@link CrashPoint#SYNC_AFTER_DATA}.
     *
     * @param point the point
     * @param file the file involved
     * @throws IOException to make the step fail as if the system call had failed there
     */
    void reached(CrashPoint point, java.nio.file.Path file) throws IOException;

    /**
     * A system call returned that made bytes durable: {@code msync} of {@code [offset,
     * offset+length)} (page-rounded by the kernel), or {@code fdatasync} of the whole file (offset
     * 0, length {@link Long#MAX_VALUE}), which also makes the file size durable.
     *
     * @param file the file
     * @param offset the first byte made durable
     * @param length how many bytes
     */
    default void durable(java.nio.file.Path file, long offset, long length) {}
  }

  /**
   * Installs (or with null removes) the listener. For tests only.
   *
   * @param l the listener, or null
   */
  public static void setListener(Listener l) {
    listener = l;
  }

  static void reach(CrashPoint point, java.nio.file.Path file) throws IOException {
    if (HALT_AT != null && HALT_AT.equals(point.key())) {
      System.out.flush();
      Runtime.getRuntime().halt(HALT_STATUS);
    }
    Listener l = listener;
    if (l != null) {
      l.reached(point, file);
    }
  }

  static void durable(java.nio.file.Path file, long offset, long length) {
    Listener l = listener;
    if (l != null) {
      l.durable(file, offset, length);
    }
  }
}
