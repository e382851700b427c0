package io.mmapvec.internal.storage;

import java.util.function.Consumer;

/**
 * Test-only observation and crash points on every step of sync, growth, create and shrink
 * (durability test 2). Production code pays one static-final null check per step, and only on the
 * slow paths.
 *
 * <p>A child JVM started with {@code -Dmmapvec.test.crashAt=sync.afterData} halts (exit status
 * {@link #HALT_STATUS}, no shutdown hooks, no finalisation: as close to {@code kill -9} as Java
 * gets) the first time it reaches that point. In-process tests may instead install a listener that
 * sees every point (the power-loss simulator snapshots the file there).
 */
public final class CrashHooks {
  /** The exit status of a JVM halted at a crash point. */
  public static final int HALT_STATUS = 77;

  private static final String HALT_AT = System.getProperty("mmapvec.test.crashAt");
  private static volatile Consumer<String> listener;

  private CrashHooks() {}

  /**
   * Installs (or with null removes) the listener that sees every point, in the thread that reaches
   * it. For tests only.
   *
   * @param l the listener, or null
   */
  public static void setListener(Consumer<String> l) {
    listener = l;
  }

  /**
   * Marks that {@code point} was reached.
   *
   * @param point a name such as {@code "sync.afterData"}, listed in docs/DURABILITY.md
   */
  static void reach(String point) {
    if (HALT_AT != null && HALT_AT.equals(point)) {
      System.out.flush();
      Runtime.getRuntime().halt(HALT_STATUS);
    }
    Consumer<String> l = listener;
    if (l != null) {
      l.accept(point);
    }
  }
}
