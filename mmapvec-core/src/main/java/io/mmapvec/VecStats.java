package io.mmapvec;

import java.time.Duration;

/**
 * Counters of one open vector since it was opened, from {@link Vec#stats()}. The same events are
 * recorded for JDK Flight Recorder as {@code io.mmapvec.Sync} and {@code io.mmapvec.Growth}.
 *
 * @param syncs syncs that wrote something (a sync with nothing to write is not counted)
 * @param bytesSynced data and header bytes handed to {@code msync}, page-rounded
 * @param lastSyncDuration wall time of the last counted sync, or zero
 * @param growths times the file grew
 * @param remaps times the file was mapped anew (growth past the address reservation, shrink)
 * @param backend {@code "native"} or {@code "channel"} (the fallback)
 */
public record VecStats(
    long syncs,
    long bytesSynced,
    Duration lastSyncDuration,
    long growths,
    long remaps,
    String backend) {}
