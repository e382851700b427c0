package io.mmapvec.internal.format;

/**
 * One of the two commit slots: a committed length, made durable after the data it covers.
 *
 * @param sequence increases by one with every commit; 0 means the slot was never written
 * @param length the committed number of elements
 * @param commitTimeMillis wall-clock time of the commit, epoch milliseconds (informational)
 * @param rewrites how many commits so far changed elements below the previous commit's length (the
 *     live readers' "re-read" signal; 0 in files written before it existed)
 */
public record CommitSlot(long sequence, long length, long commitTimeMillis, long rewrites) {

  /**
   * A slot with a rewrite counter of 0.
   *
   * @param sequence the sequence
   * @param length the committed length
   * @param commitTimeMillis the commit time
   */
  public CommitSlot(long sequence, long length, long commitTimeMillis) {
    this(sequence, length, commitTimeMillis, 0);
  }
}
