package io.mmapvec.internal.storage;

import java.io.IOException;

/** What a column of a group calls instead of committing alone: the group's commit. */
interface GroupHook {
  /**
   * Commits the whole group.
   *
   * @param trigger what asked, for events
   * @throws IOException if a column or the manifest cannot be made durable
   */
  void commit(SyncTrigger trigger) throws IOException;
}
