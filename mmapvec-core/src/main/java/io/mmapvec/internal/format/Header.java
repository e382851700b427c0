package io.mmapvec.internal.format;

/**
 * A decoded, validated header.
 *
 * @param identity what the file holds
 * @param formatVersion the format version (1)
 * @param pageSizeAtCreate page size of the machine that created the file (informational)
 * @param createdMillis creation time, epoch milliseconds (informational)
 * @param activeSlot index (0 or 1) of the slot that won: valid, with the higher sequence (slot 0 if
 *     both are valid with the same sequence, which no sync writes)
 * @param active the winning slot
 * @param other the other slot, or null when it is empty, fails its checksum or has sequence 0
 */
public record Header(
    Identity identity,
    int formatVersion,
    int pageSizeAtCreate,
    long createdMillis,
    int activeSlot,
    CommitSlot active,
    CommitSlot other) {

  /** {@return the committed size (element count) of the winning slot} */
  public long size() {
    return active.size();
  }
}
