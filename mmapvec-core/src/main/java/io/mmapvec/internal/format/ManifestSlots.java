package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * One commit slot of a column group's manifest (docs/FORMAT.md, "Column group manifest"): a 64-byte
 * head (sequence, commit time, column count, rewrite counter, checksum) and one 64-byte entry per
 * column. Writes a slot, and reads one back with every check of its head and entries, one problem
 * per slot.
 *
 * <p><b>Threads:</b> stateless; any thread, as long as no other thread writes the slot at the same
 * time.
 */
final class ManifestSlots {
  private ManifestSlots() {}

  private static final long SLOT_OFF_SEQUENCE = 0;
  private static final long SLOT_OFF_COMMIT_TIME = 8;
  private static final long SLOT_OFF_COUNT = 16;
  private static final long SLOT_OFF_REWRITES = 24;
  private static final long SLOT_OFF_CRC = 60;
  private static final int SLOT_HEAD_BYTES = 64;

  private static final int ENTRY_BYTES = 64;
  private static final int ENTRY_NAME_BYTES = 32;
  private static final long ENTRY_OFF_TYPE = 32;
  private static final long ENTRY_OFF_ELEMENT_SIZE = 36;
  private static final long ENTRY_OFF_SIZE = 40;
  private static final long ENTRY_OFF_COLUMN_SEQUENCE = 48;

  /**
   * A slot as read: the commit if the slot is valid, else why not.
   *
   * @param valid the commit, or null
   * @param problem what is wrong ("is empty", "fails its checksum ..."), or null when valid
   */
  record SlotRead(Commit valid, String problem) {}

  /** Writes {@code commit} into {@code slot}: the head, the entries, zeros, the checksum. */
  static void encode(MemorySegment slot, Commit commit) {
    slot.fill((byte) 0);
    slot.set(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE, commit.sequence());
    slot.set(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME, commit.commitTimeMillis());
    slot.set(JAVA_INT_UNALIGNED, SLOT_OFF_COUNT, commit.columns().size());
    slot.set(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES, commit.rewrites());
    for (int i = 0; i < commit.columns().size(); i++) {
      Column c = commit.columns().get(i);
      long base = entryBase(i);
      byte[] name = c.name().getBytes(StandardCharsets.US_ASCII);
      MemorySegment.copy(MemorySegment.ofArray(name), 0, slot, base, name.length);
      slot.set(JAVA_BYTE, base + ENTRY_OFF_TYPE, (byte) c.type().code());
      slot.set(JAVA_INT_UNALIGNED, base + ENTRY_OFF_ELEMENT_SIZE, (int) c.elementSize());
      slot.set(JAVA_LONG_UNALIGNED, base + ENTRY_OFF_SIZE, c.size());
      slot.set(JAVA_LONG_UNALIGNED, base + ENTRY_OFF_COLUMN_SEQUENCE, c.columnSequence());
    }
    slot.set(JAVA_INT_UNALIGNED, SLOT_OFF_CRC, slotCrc(slot, commit.columns().size()));
  }

  /** {@return the commit in {@code s}, or why it is not valid} */
  static SlotRead read(MemorySegment s) {
    if (s.mismatch(MemorySegment.ofArray(new byte[GroupManifestFormat.SLOT_BYTES])) == -1) {
      return new SlotRead(null, "is empty");
    }
    long count = Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, SLOT_OFF_COUNT));
    if (count > GroupManifestFormat.MAX_COLUMNS) {
      return new SlotRead(
          null, "has column count " + count + ", expected 0.." + GroupManifestFormat.MAX_COLUMNS);
    }
    long sequence = s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE);
    String slotProblem =
        FormatText.slotChecksumProblem(
            s.get(JAVA_INT_UNALIGNED, SLOT_OFF_CRC), slotCrc(s, (int) count));
    if (slotProblem == null) {
      slotProblem = FormatText.slotSequenceProblem(sequence);
    }
    if (slotProblem != null) {
      return new SlotRead(null, slotProblem);
    }
    List<Column> columns = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < count; i++) {
      long base = entryBase(i);
      byte[] raw = s.asSlice(base, ENTRY_NAME_BYTES).toArray(JAVA_BYTE);
      int len = 0;
      while (len < ENTRY_NAME_BYTES && raw[len] != 0) {
        len++;
      }
      String name = new String(raw, 0, len, StandardCharsets.ISO_8859_1);
      String problem =
          len == ENTRY_NAME_BYTES
              ? "column name has no NUL"
              : GroupManifestFormat.nameProblem(name);
      for (int j = len; problem == null && j < ENTRY_NAME_BYTES; j++) {
        if (raw[j] != 0) {
          problem =
              "column name '" + ManifestLayout.escape(name) + "' is followed by non-zero bytes";
        }
      }
      if (problem == null && !names.add(name)) {
        problem = "column name '" + name + "' appears twice";
      }
      int code = Byte.toUnsignedInt(s.get(JAVA_BYTE, base + ENTRY_OFF_TYPE));
      ElementType type = ElementType.ofCode(code);
      long elementSize =
          Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, base + ENTRY_OFF_ELEMENT_SIZE));
      long size = s.get(JAVA_LONG_UNALIGNED, base + ENTRY_OFF_SIZE);
      long columnSequence = s.get(JAVA_LONG_UNALIGNED, base + ENTRY_OFF_COLUMN_SEQUENCE);
      if (problem == null && type == null) {
        problem = "column '" + name + "' has unknown type code " + code;
      }
      if (problem == null
          && (elementSize < 1 || (type != ElementType.STRUCT && elementSize != type.byteSize()))) {
        problem =
            "column '" + name + "' has element size " + elementSize + " for " + type.javaName();
      }
      if (problem == null && size < 0) {
        problem = "column '" + name + "' has size " + Long.toUnsignedString(size);
      }
      if (problem == null && columnSequence < 1) {
        problem =
            "column '" + name + "' has column sequence " + Long.toUnsignedString(columnSequence);
      }
      if (problem != null) {
        return new SlotRead(null, "has a bad entry " + i + ": " + problem);
      }
      columns.add(new Column(name, type, elementSize, size, columnSequence));
    }
    return new SlotRead(
        new Commit(
            sequence,
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME),
            columns,
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES)),
        null);
  }

  private static long entryBase(int index) {
    return SLOT_HEAD_BYTES + (long) ENTRY_BYTES * index;
  }

  /** CRC32C over the slot head's bytes [0, 60) and {@code count} entries. */
  private static int slotCrc(MemorySegment slot, int count) {
    CRC32C crc = new CRC32C();
    crc.update(slot.asSlice(0, SLOT_OFF_CRC).toArray(JAVA_BYTE));
    crc.update(slot.asSlice(SLOT_HEAD_BYTES, (long) ENTRY_BYTES * count).toArray(JAVA_BYTE));
    return (int) crc.getValue();
  }
}
