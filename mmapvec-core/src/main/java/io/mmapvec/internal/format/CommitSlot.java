package io.mmapvec.internal.format;

/**
 * One of the two commit slots: a committed size, made durable after the data it covers.
 *
 * @param sequence increases by one with every commit; 0 means the slot was never written
 * @param size the committed size: the number of elements
 * @param commitTimeMillis wall-clock time of the commit, epoch milliseconds (informational)
 * @param rewrites how many commits so far changed elements below the previous commit's size (the
 *     live readers' "re-read" signal; 0 in files written before it existed)
 */
public record CommitSlot(long sequence, long size, long commitTimeMillis, long rewrites) {

  /**
   * A slot with a rewrite counter of 0.
   *
   * @param sequence the sequence
   * @param size the committed size
   * @param commitTimeMillis the commit time
   */
  public CommitSlot(long sequence, long size, long commitTimeMillis) {
    this(sequence, size, commitTimeMillis, 0);
  }
}
