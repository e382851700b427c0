package io.mmapvec.internal.storage;

import io.mmapvec.VecStats;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The counters behind {@code Vec.stats()} and the JFR events of one storage: each sync and each
 * change of the file's size is counted and, when JFR records it, reported here, in one place.
 *
 * <p><b>Threads:</b> updated and read under the storage's commit lock.
 */
final class StorageStats {
  private final Path path;
  private long syncs;
  private long bytesSynced;
  private long lastSyncNanos;
  private long growths;

  StorageStats(Path path) {
    this.path = path;
  }

  /** {@return a started sync event; hand it to {@link #synced} when the sync succeeded} */
  static SyncEvent beginSync() {
    SyncEvent event = new SyncEvent();
    event.begin();
    return event;
  }

  /**
   * Counts a sync that wrote something and reports it to JFR.
   *
   * @param event from {@link #beginSync()}
   * @param startNanos {@link System#nanoTime()} when it began
   * @param bytes bytes handed to the device (page-rounded)
   * @param committedSize the size the sync committed
   * @param fileSizeChanged whether it made a new file size durable
   * @param trigger what started it
   */
  void synced(
      SyncEvent event,
      long startNanos,
      long bytes,
      long committedSize,
      boolean fileSizeChanged,
      SyncTrigger trigger) {
    syncs++;
    bytesSynced += bytes;
    lastSyncNanos = System.nanoTime() - startNanos;
    if (event.shouldCommit()) {
      event.path = path.toString();
      event.dataBytes = bytes;
      event.committedSize = committedSize;
      event.fileSizeChanged = fileSizeChanged;
      event.trigger = trigger.key();
      event.commit();
    }
  }

  /** {@return a started resize event; hand it to {@link #resized} when the resize succeeded} */
  static GrowthEvent beginResize() {
    GrowthEvent event = new GrowthEvent();
    event.begin();
    return event;
  }

  /**
   * Counts a growth (not a shrink) and reports either to JFR.
   *
   * @param event from {@link #beginResize()}
   * @param oldBytes the file size before
   * @param newBytes the file size after
   * @param remapped whether the file was mapped anew
   */
  void resized(GrowthEvent event, long oldBytes, long newBytes, boolean remapped) {
    if (newBytes > oldBytes) {
      growths++;
    }
    if (event.shouldCommit()) {
      event.path = path.toString();
      event.oldBytes = oldBytes;
      event.newBytes = newBytes;
      event.remapped = remapped;
      event.commit();
    }
  }

  /** {@return the counters as the public record} */
  VecStats snapshot(long remaps, String backendName) {
    return new VecStats(
        syncs, bytesSynced, Duration.ofNanos(lastSyncNanos), growths, remaps, backendName);
  }
}
