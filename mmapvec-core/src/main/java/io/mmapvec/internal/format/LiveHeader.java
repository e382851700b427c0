package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The header bytes of live reading (docs/FORMAT.md, "Live readers"): the published sequence word,
 * the two lock bytes, and reading a commit slot from a mapping that a writer in another process may
 * be writing at the same moment. Format version 1 reserves all of these bytes; implementations that
 * ignore them stay correct, because the lock bytes keep them from meeting a live reader.
 *
 * <p><b>Threads:</b> stateless; the reads are meant to race with a writer's stores, and use acquire
 * loads and fences so that what they return was completely stored.
 */
public final class LiveHeader {
  private LiveHeader() {}

  /**
   * Offset of the published sequence word ({@code u64}, in its own page): the sequence of the
   * newest commit whose slot is durable. A writer stores it (release) after the slot's msync, and
   * at open after making the slot pages durable. Never made durable itself.
   */
  public static final long PUBLISHED_SEQUENCE_OFFSET = 12288;

  /** The lock byte a writer holds exclusively ({@code F_OFD_SETLK}, length 1) while it is open. */
  public static final long WRITER_LOCK_BYTE = 16384;

  /**
   * The lock byte live readers hold shared while open; a writer truncates the file only while it
   * holds this byte exclusively.
   */
  public static final long READER_LOCK_BYTE = 16385;

  /** The first byte of the pages holding the two commit slots. */
  public static final long SLOT_PAGES_OFFSET = 4096;

  /** The length of the pages holding the two commit slots, {@code [4096, 12288)}. */
  public static final long SLOT_PAGES_BYTES = 8192;

  /** How often {@link #readSlot} reads a slot twice before it gives up on it for now. */
  private static final int STABLE_READ_ATTEMPTS = 8;

  private static final VarHandle LONG = JAVA_LONG.varHandle();

  /**
   * {@return the published sequence word, with acquire semantics}
   *
   * @param file a mapping of the file from offset 0, at least 12296 bytes long
   */
  public static long publishedSequence(MemorySegment file) {
    return (long) LONG.getAcquire(file, PUBLISHED_SEQUENCE_OFFSET);
  }

  /**
   * Stores the published sequence word with release semantics. Call only after the slot with this
   * sequence is durable.
   *
   * @param file a writable mapping of the file from offset 0
   * @param sequence the sequence of a durable commit slot
   */
  public static void publish(MemorySegment file, long sequence) {
    LONG.setRelease(file, PUBLISHED_SEQUENCE_OFFSET, sequence);
  }

  /**
   * {@return the sequence word of slot 0 or 1 as it is now, unchecked (acquire load)} A quick
   * "anything newer?" test; a slot is only trusted through {@link #readSlot}.
   *
   * @param file a mapping of the file from offset 0
   * @param slot 0 or 1
   */
  public static long sequenceWord(MemorySegment file, int slot) {
    return (long) LONG.getAcquire(file, HeaderFormat.slotOffset(slot));
  }

  /**
   * Reads commit slot {@code slot} from a live mapping: copies its 64 bytes, fences, copies them
   * again, and accepts them only if both copies agree and the checksum matches (the double read of
   * SQLite's WAL index header). Retries a few times while a writer is rewriting the slot.
   *
   * @param file a mapping of the file from offset 0
   * @param slot 0 or 1
   * @return the slot, or null if it is empty, damaged, or kept changing while read
   */
  public static CommitSlot readSlot(MemorySegment file, int slot) {
    long base = HeaderFormat.slotOffset(slot);
    int n = (int) HeaderFormat.SLOT_BYTES;
    byte[] first = new byte[n];
    byte[] second = new byte[n];
    for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
      VarHandle.acquireFence();
      MemorySegment.copy(file, JAVA_BYTE, base, first, 0, n);
      VarHandle.acquireFence();
      MemorySegment.copy(file, JAVA_BYTE, base, second, 0, n);
      if (Arrays.equals(first, second)) {
        return SlotCodec.readBytes(MemorySegment.ofArray(first)).valid();
      }
      Thread.onSpinWait();
    }
    return null;
  }
}
