package io.mmapvec.internal.storage;

/**
 * The named steps of create, growth, sync and shrink where tests observe, crash or inject a failure
 * (see {@link CrashHooks}). docs/DURABILITY.md lists every value under "Crash points" (a test
 * checks it), and CrashPointsIT crashes a child JVM at each one.
 */
public enum CrashPoint {
  /** Create: the temporary file is open, still empty. */
  CREATE_AFTER_TMP_OPEN("create.afterTmpOpen"),
  /** Create: the temporary file's blocks are allocated. */
  CREATE_AFTER_ALLOCATE("create.afterAllocate"),
  /** Create: the header is written, not yet durable. */
  CREATE_AFTER_HEADER("create.afterHeader"),
  /** Create: the temporary file is durable ({@code fdatasync}). */
  CREATE_AFTER_SYNC("create.afterSync"),
  /** Create: the file is published under its name, the directory not yet durable. */
  CREATE_AFTER_PUBLISH("create.afterPublish"),
  /** Create: the directory entry is durable. */
  CREATE_AFTER_DIR_SYNC("create.afterDirSync"),
  /** Growth: before the new blocks are allocated. */
  GROW_BEFORE_ALLOCATE("grow.beforeAllocate"),
  /** Growth: the blocks are allocated, the file size not yet durable. */
  GROW_AFTER_ALLOCATE("grow.afterAllocate"),
  /** Growth: the file outgrew its mapping and was mapped anew. */
  GROW_AFTER_REMAP("grow.afterRemap"),
  /** Sync: a commit begins. */
  SYNC_BEGIN("sync.begin"),
  /** Sync: the changed elements are durable ({@code msync}). */
  SYNC_AFTER_DATA("sync.afterData"),
  /** Sync: the new file size is durable ({@code fdatasync}). */
  SYNC_AFTER_FDATASYNC("sync.afterFdatasync"),
  /** Sync: the new size is written into the inactive slot, not yet durable. */
  SYNC_AFTER_SLOT_WRITE("sync.afterSlotWrite"),
  /** Sync: the slot is durable: the commit happened. */
  SYNC_AFTER_SLOT_SYNC("sync.afterSlotSync"),
  /** Shrink: the smaller size is committed. */
  SHRINK_AFTER_COMMIT("shrink.afterCommit"),
  /** Shrink: the file is mapped anew at its smaller size. */
  SHRINK_AFTER_REMAP("shrink.afterRemap"),
  /** Shrink: the file is truncated, the new size not yet durable. */
  SHRINK_AFTER_TRUNCATE("shrink.afterTruncate"),
  /** Shrink: the new file size is durable. */
  SHRINK_AFTER_SYNC("shrink.afterSync");

  private final String key;

  CrashPoint(String key) {
    this.key = key;
  }

  /** {@return the name in docs/DURABILITY.md and for {@code -Dmmapvec.test.crashAt}} */
  public String key() {
    return key;
  }
}
