package io.mmapvec;

import java.time.Duration;
import java.util.Objects;

/**
 * When a writable vector makes its changes durable, besides explicit {@link Vec#sync()} and {@link
 * Vec#close()} calls. Chosen at open with {@link VecOptions#withSyncPolicy(SyncPolicy)}.
 *
 * <p>Whatever the policy, a crash loses at most the changes made since the last sync that returned
 * normally, and the file always opens (docs/DURABILITY.md). A policy only chooses how often that
 * point moves forward:
 *
 * <ul>
 *   <li>{@link #manual()}: only when the application says so (the default);
 *   <li>{@link #everyWrites(long)}: a crash loses at most the last {@code n - 1} mutating calls;
 *   <li>{@link #every(Duration)}: a crash loses at most about the last {@code d} of changes, and an
 *       idle vector's last changes become durable within {@code d} too.
 * </ul>
 *
 * <p>A sync made by a policy that fails poisons the vector like any failed sync: every later write
 * and sync throws until the file is reopened.
 */
public sealed interface SyncPolicy {

  /**
   * {@return the policy that syncs only when the application calls {@code sync()} or {@code
   * close()}} This is the default.
   */
  static SyncPolicy manual() {
    return Manual.INSTANCE;
  }

  /**
   * {@return the policy that syncs after every {@code n} mutating calls} A mutating call is any
   * method that changes elements or the size ({@code set}, {@code add}, {@code addAll}, {@code
   * insertAt}, {@code truncate}, ...). The sync runs on the calling thread, inside the n-th call,
   * after its change; a failure there surfaces as an {@link java.io.UncheckedIOException}.
   *
   * @param n how many mutating calls between syncs, at least 1 (1 syncs after every call)
   * @throws IllegalArgumentException if {@code n < 1}
   */
  static SyncPolicy everyWrites(long n) {
    return new EveryWrites(n);
  }

  /**
   * {@return the policy that syncs every {@code interval} from a background thread} The thread (one
   * daemon thread, {@code mmapvec-flusher}, shared by every vector) syncs idle vectors too. It
   * never races the writer: it holds the vector's sync lock, flushes the data below a length the
   * vector had, and only then commits that length, so the committed length covers only data that
   * was durable first. A failure poisons the vector; the application sees it at its next {@code
   * sync()} or {@code close()}, and writes fail from then on.
   *
   * @param interval time between syncs, from one millisecond to 2^63-1 nanoseconds (292 years)
   * @throws IllegalArgumentException if {@code interval} is shorter than a millisecond or longer
   *     than 2^63-1 nanoseconds
   */
  static SyncPolicy every(Duration interval) {
    return new Every(interval);
  }

  /** Sync only on explicit {@code sync()} and {@code close()}. */
  enum Manual implements SyncPolicy {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "manual";
    }
  }

  /**
   * Sync after every {@code n} mutating calls.
   *
   * @param n mutating calls between syncs, at least 1
   */
  record EveryWrites(long n) implements SyncPolicy {
    /**
     * Checks {@code n}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public EveryWrites {
      if (n < 1) {
        throw new IllegalArgumentException("everyWrites needs n >= 1, got " + n);
      }
    }

    @Override
    public String toString() {
      return "everyWrites(" + n + ")";
    }
  }

  /**
   * Sync every {@code interval} from the background flusher.
   *
   * @param interval time between syncs, from one millisecond to 2^63-1 nanoseconds
   */
  record Every(Duration interval) implements SyncPolicy {
    /**
     * Checks {@code interval}.
     *
     * @throws IllegalArgumentException if shorter than a millisecond or longer than 2^63-1
     *     nanoseconds (the flusher schedules in nanoseconds)
     */
    public Every {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("every needs an interval >= 1 ms, got " + interval);
      }
      if (interval.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(
            "every needs an interval <= 2^63-1 ns (about 292 years), got " + interval);
      }
    }

    @Override
    public String toString() {
      return "every(" + interval + ")";
    }
  }
}
