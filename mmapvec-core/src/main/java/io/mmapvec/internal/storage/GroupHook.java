package io.mmapvec.internal.storage;

import java.io.IOException;
import java.time.Duration;

/**
 * What a column of a group calls instead of committing (a writer's group) or refreshing (a
 * read-only group) alone: the group's commit and the group's view.
 */
interface GroupHook {
  /**
   * Commits the whole group (a read-only group: nothing).
   *
   * @param trigger what asked, for events
   * @throws IOException if a column or the manifest cannot be made durable
   */
  void commit(SyncTrigger trigger) throws IOException;

  /**
   * A read-only group: shows its newest visible commit in every column; a writer's group: nothing.
   *
   * @throws IOException if the manifest or a column cannot be read
   */
  default void refreshGroup() throws IOException {}

  /**
   * A read-only group: waits for a newer group commit (see {@link #refreshGroup()}); a writer's
   * group: nothing.
   *
   * @param timeout the longest wait
   * @throws IOException if the manifest or a column cannot be read
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  default void awaitGroupCommit(Duration timeout) throws IOException, InterruptedException {}

  /** {@return a read-only group's shown rewrite counter, or -1: the column answers for itself} */
  default long shownRewrites() {
    return -1;
  }
}
