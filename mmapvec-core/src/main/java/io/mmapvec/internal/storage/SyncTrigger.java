package io.mmapvec.internal.storage;

/**
 * What started a sync; recorded in the {@link SyncEvent} JFR event as {@link #key()}.
 * docs/DURABILITY.md lists every value (a test checks it).
 */
public enum SyncTrigger {
  /** The owner called {@code sync()}. */
  EXPLICIT("explicit"),
  /** {@code close()} made the last changes durable. */
  CLOSE("close"),
  /** {@code SyncPolicy.everyWrites(n)}: the n-th mutating call since the last policy sync. */
  EVERY_WRITES("everyWrites"),
  /** {@code SyncPolicy.every(interval)}: the background flusher. */
  EVERY("every"),
  /**
   * {@code shrinkToFit()}: commits the smaller size before, and the new file size after, the
   * truncate.
   */
  SHRINK("shrink");

  private final String key;

  SyncTrigger(String key) {
    this.key = key;
  }

  /** {@return the name in JFR recordings and in docs/DURABILITY.md} */
  public String key() {
    return key;
  }
}
