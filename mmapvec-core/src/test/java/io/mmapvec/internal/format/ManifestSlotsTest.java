package io.mmapvec.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import io.mmapvec.internal.format.ManifestSlots.SlotRead;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One manifest commit slot on its own: written, read back, and each way a slot is not valid. */
class ManifestSlotsTest {
  private static final Commit COMMIT =
      new Commit(
          5,
          1234,
          List.of(
              new Column("price", ElementType.DOUBLE, 8, 10, 2),
              new Column("tick", ElementType.STRUCT, 24, 10, 3)));

  private static MemorySegment written(Commit c) {
    MemorySegment slot = MemorySegment.ofArray(new byte[GroupManifestFormat.SLOT_BYTES]);
    slot.fill((byte) 0x5A); // encode must clear what an older commit left
    ManifestSlots.encode(slot, c);
    return slot;
  }

  @Test
  void aWrittenSlotReadsBackAsTheSameCommit() {
    SlotRead r = ManifestSlots.read(written(COMMIT));
    assertThat(r.problem()).isNull();
    assertThat(r.valid()).isEqualTo(COMMIT);
  }

  @Test
  void theBytesAfterTheLastEntryAreZero() {
    MemorySegment slot = written(COMMIT);
    MemorySegment tail = slot.asSlice(64 + 2 * 64);
    assertThat(tail.mismatch(MemorySegment.ofArray(new byte[(int) tail.byteSize()]))).isEqualTo(-1);
  }

  @Test
  void anAllZeroSlotIsEmpty() {
    SlotRead r =
        ManifestSlots.read(MemorySegment.ofArray(new byte[GroupManifestFormat.SLOT_BYTES]));
    assertThat(r.valid()).isNull();
    assertThat(r.problem()).isEqualTo("is empty");
  }

  @Test
  void aChangedByteFailsTheChecksum() {
    MemorySegment slot = written(COMMIT);
    slot.set(ValueLayout.JAVA_BYTE, 64 + 40, (byte) 11); // the first entry's size
    SlotRead r = ManifestSlots.read(slot);
    assertThat(r.valid()).isNull();
    assertThat(r.problem()).startsWith("fails its checksum");
  }

  @Test
  void aColumnCountBeyondTheLimitIsNamed() {
    MemorySegment slot = written(COMMIT);
    slot.set(ValueLayout.JAVA_INT_UNALIGNED, 16, GroupManifestFormat.MAX_COLUMNS + 1);
    SlotRead r = ManifestSlots.read(slot);
    assertThat(r.valid()).isNull();
    assertThat(r.problem())
        .isEqualTo(
            "has column count "
                + (GroupManifestFormat.MAX_COLUMNS + 1)
                + ", expected 0.."
                + GroupManifestFormat.MAX_COLUMNS);
  }
}
