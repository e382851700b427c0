package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.HeaderLayout.SLOT_OFF_COMMIT_TIME;
import static io.mmapvec.internal.format.HeaderLayout.SLOT_OFF_CRC;
import static io.mmapvec.internal.format.HeaderLayout.SLOT_OFF_REWRITES;
import static io.mmapvec.internal.format.HeaderLayout.SLOT_OFF_SEQUENCE;
import static io.mmapvec.internal.format.HeaderLayout.SLOT_OFF_SIZE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The bytes of one commit slot (rule 4): sequence, committed size, commit time, rewrite counter,
 * reserved bytes and a CRC32C over the first 60 bytes.
 *
 * <p><b>Threads:</b> stateless; any thread may call it, as long as no other thread writes the
 * segment at the same time.
 */
final class SlotCodec {
  private SlotCodec() {}

  /** A slot as read: {@code valid} when its checksum matches and its sequence is positive. */
  record SlotRead(CommitSlot valid, String problem) {}

  /** Writes {@code value} into slot {@code slot} of {@code header}; see {@link HeaderFormat}. */
  static void encode(MemorySegment header, int slot, CommitSlot value) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(value, "value");
    long offset = HeaderFormat.slotOffset(slot);
    if (value.sequence() < 1) {
      throw new IllegalArgumentException(
          "commit sequence is " + value.sequence() + ", expected >= 1");
    }
    if (value.size() < 0) {
      throw new IllegalArgumentException("committed size is " + value.size() + ", expected >= 0");
    }
    MemorySegment s = MemorySegment.ofArray(new byte[(int) HeaderFormat.SLOT_BYTES]);
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE, value.sequence());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_SIZE, value.size());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME, value.commitTimeMillis());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES, value.rewrites());
    s.set(JAVA_INT_UNALIGNED, SLOT_OFF_CRC, HeaderLayout.crc32c(s, 0, SLOT_OFF_CRC));
    MemorySegment.copy(s, 0, header, offset, HeaderFormat.SLOT_BYTES);
  }

  /** Reads slot {@code slot} of {@code src}; a damaged or empty slot comes back with a problem. */
  static SlotRead read(MemorySegment src, int slot) {
    return readBytes(src.asSlice(HeaderFormat.slotOffset(slot), HeaderFormat.SLOT_BYTES));
  }

  /** Reads one slot's 64 bytes (for {@link LiveHeader}, which copies them out of a mapping). */
  static SlotRead readBytes(MemorySegment s) {
    if (s.mismatch(MemorySegment.ofArray(new byte[(int) HeaderFormat.SLOT_BYTES])) == -1) {
      return new SlotRead(null, "is empty");
    }
    long sequence = s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE);
    String slotProblem =
        FormatText.slotChecksumProblem(
            s.get(JAVA_INT_UNALIGNED, SLOT_OFF_CRC), HeaderLayout.crc32c(s, 0, SLOT_OFF_CRC));
    if (slotProblem == null) {
      slotProblem = FormatText.slotSequenceProblem(sequence);
    }
    if (slotProblem != null) {
      return new SlotRead(null, slotProblem);
    }
    return new SlotRead(
        new CommitSlot(
            sequence,
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_SIZE),
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME),
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES)),
        null);
  }
}
