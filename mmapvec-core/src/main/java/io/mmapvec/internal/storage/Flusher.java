package io.mmapvec.internal.storage;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one background thread, {@code mmapvec-flusher}, that runs the syncs of every vector opened
 * with {@code SyncPolicy.every(...)}. A daemon thread: it never keeps the JVM alive, and a vector
 * still open at exit keeps only what its last sync made durable, as after a crash.
 */
final class Flusher {
  private static final ScheduledExecutorService EXEC =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mmapvec-flusher");
            t.setDaemon(true);
            return t;
          });

  private Flusher() {}

  /** Runs {@code storage.backgroundSync()} every {@code interval} until the future is cancelled. */
  static ScheduledFuture<?> schedule(Storage storage, Duration interval) {
    long nanos = interval.toNanos();
    return EXEC.scheduleWithFixedDelay(storage::backgroundSync, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} (a group's background commit) every {@code interval} until cancelled. */
  static ScheduledFuture<?> schedule(Runnable task, Duration interval) {
    long nanos = interval.toNanos();
    return EXEC.scheduleWithFixedDelay(task, nanos, nanos, TimeUnit.NANOSECONDS);
  }
}
