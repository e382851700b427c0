package io.mmapvec.internal.format;

/**
 * One of the two commit slots: a committed size, made durable after the data it covers.
 *
 * @param sequence increases by one with every commit; 0 means the slot was never written
 * @param size the committed size: the number of elements
 * @param commitTimeMillis wall-clock time of the commit, epoch milliseconds (informational)
 */
public record CommitSlot(long sequence, long size, long commitTimeMillis) {}
