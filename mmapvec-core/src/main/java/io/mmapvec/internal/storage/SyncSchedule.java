package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * When the {@link SyncPolicy} asks for a sync: after every n-th mutating call ({@code
 * everyWrites}), or from the background flusher every interval ({@code every}), which skips rounds
 * in which nothing changed.
 *
 * <p>Only the policy that needs a count is counted (the storage asks): {@link #countDown()} under
 * {@code everyWrites}, {@link #countRewrite()} when a background committer runs. A manual vector
 * counts nothing.
 *
 * <p><b>Threads:</b> the counts are kept by the owner thread only; the flusher reads the rewrite
 * count racily (a call racing the read is counted in the next round) and keeps its own mark under
 * the commit lock.
 */
final class SyncSchedule {
  private final long writesPerSync;
  private long writesUntilSync;

  /**
   * Non-append mutating calls so far (owner only, plain): the flusher compares it racily with
   * {@link #rewriteCallsAtCommit} to count rewrites it cannot see in the owner's dirty range.
   */
  private long rewriteCalls;

  /** {@link #rewriteCalls} as the last commit accounted for it (under the commit lock). */
  private long rewriteCallsAtCommit;

  private ScheduledFuture<?> flusher;

  SyncSchedule(SyncPolicy policy) {
    this.writesPerSync = policy instanceof SyncPolicy.EveryWrites(long n) ? n : Long.MAX_VALUE;
    this.writesUntilSync = writesPerSync;
  }

  /** {@return whether this mutating call is the one {@code everyWrites} syncs after} */
  boolean countDown() {
    if (--writesUntilSync > 0) {
      return false;
    }
    writesUntilSync = writesPerSync;
    return true;
  }

  /** Counts one mutating call that may have changed elements below the size (owner only). */
  void countRewrite() {
    rewriteCalls++;
  }

  /** {@return a mark of the rewriting calls so far (racy when read by the flusher)} */
  long rewriteMark() {
    return rewriteCalls;
  }

  /** {@return whether a rewriting call was counted after the last commit took its mark} */
  boolean rewroteSince(long mark) {
    return mark != rewriteCallsAtCommit;
  }

  /** A commit accounted for the rewriting calls up to {@code mark}. */
  void rewritesCommitted(long mark) {
    rewriteCallsAtCommit = mark;
  }

  /** {@return n of {@code everyWrites(n)}, for messages} */
  long writesPerSync() {
    return writesPerSync;
  }

  /** Starts the flusher if the policy is {@code every(interval)} and the file is writable. */
  void start(SyncPolicy policy, boolean readOnly, Storage storage) {
    if (!readOnly && policy instanceof SyncPolicy.Every(Duration interval)) {
      flusher = Flusher.schedule(storage, interval);
    }
  }

  /** Stops the flusher, if any; a round already running finishes first (it holds the lock). */
  void stop() {
    if (flusher != null) {
      flusher.cancel(false);
    }
  }
}
