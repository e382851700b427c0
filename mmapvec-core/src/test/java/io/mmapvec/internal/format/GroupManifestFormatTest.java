package io.mmapvec.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import io.mmapvec.internal.format.GroupManifestFormat.Manifest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The manifest's bytes: round trips, the slot choice, and what a valid entry is. */
class GroupManifestFormatTest {
  private static final Path FILE = Path.of("g/_manifest");
  private static final DataVersion V = new DataVersion(1, 2, 3);

  private static MemorySegment fresh() {
    MemorySegment m = MemorySegment.ofArray(new byte[GroupManifestFormat.FILE_BYTES]);
    GroupManifestFormat.encodeNew(m, "TICKDATA", V, 42);
    return m;
  }

  private static MemorySegment slot(MemorySegment m, int i) {
    return m.asSlice(GroupManifestFormat.slotOffset(i), GroupManifestFormat.SLOT_BYTES);
  }

  @Test
  void aNewManifestHasOneEmptyCommit() throws VecFormatException {
    Manifest m =
        GroupManifestFormat.decode(fresh(), GroupManifestFormat.FILE_BYTES, "TICKDATA", V, FILE);
    assertThat(m.magic()).isEqualTo("TICKDATA");
    assertThat(m.dataVersion()).isEqualTo(V);
    assertThat(m.createdMillis()).isEqualTo(42);
    assertThat(m.activeSlot()).isZero();
    assertThat(m.active()).isEqualTo(new Commit(1, 42, List.of()));
    assertThat(m.otherProblem()).isEqualTo("is empty");
  }

  @Test
  void theRewriteCounterAndThePublishedWordHaveTheirBytes() throws VecFormatException {
    // Page-aligned, as a mapping is: the live accesses are aligned 8-byte loads and stores.
    MemorySegment m =
        java.lang.foreign.Arena.ofAuto().allocate(GroupManifestFormat.FILE_BYTES, 4096);
    GroupManifestFormat.encodeNew(m, "TICKDATA", V, 42);
    Commit c = new Commit(2, 5, List.of(new Column("a", ElementType.INT, 4, 5, 1)), 0x0102L);
    GroupManifestFormat.encodeSlot(slot(m, 1), c);
    assertThat(slot(m, 1).get(ValueLayout.JAVA_LONG_UNALIGNED, 24)).isEqualTo(0x0102L);
    assertThat(GroupManifestFormat.decode(m, m.byteSize(), null, null, FILE).active()).isEqualTo(c);
    assertThat(GroupManifestFormat.readSlotLive(m, 1)).isEqualTo(c);
    assertThat(GroupManifestFormat.sequenceWord(m, 1)).isEqualTo(2);
    // The counter is inside the slot checksum: a changed counter invalidates the slot.
    slot(m, 1).set(ValueLayout.JAVA_BYTE, 24, (byte) 9);
    assertThat(GroupManifestFormat.readSlotLive(m, 1)).isNull();
    assertThat(GroupManifestFormat.decode(m, m.byteSize(), null, null, FILE).activeSlot()).isZero();
    // P: its own page at 20480, 0 in a new manifest and in one of the old, shorter size.
    assertThat(GroupManifestFormat.PUBLISHED_SEQUENCE_OFFSET).isEqualTo(20480);
    assertThat(GroupManifestFormat.publishedSequence(m)).isZero();
    GroupManifestFormat.publish(m, 77);
    assertThat(m.get(ValueLayout.JAVA_LONG_UNALIGNED, 20480)).isEqualTo(77);
    assertThat(GroupManifestFormat.publishedSequence(m)).isEqualTo(77);
    assertThat(GroupManifestFormat.publishedSequence(m.asSlice(0, 20480))).isZero();
    assertThat(GroupManifestFormat.decode(m.asSlice(0, 20480), 20480, null, null, FILE).active())
        .isEqualTo(new Commit(1, 42, List.of()));
  }

  @Test
  void theNewerValidSlotWinsWithEveryColumn() throws VecFormatException {
    MemorySegment m = fresh();
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < GroupManifestFormat.MAX_COLUMNS; i++) {
      cols.add(new Column("c" + i, ElementType.STRUCT, 24, i * 1000L, i + 1));
    }
    cols.set(0, new Column("abcdefghijklmnopqrstuvwxyz01234", ElementType.LONG, 8, 7, 3));
    Commit c = new Commit(2, 99, cols);
    GroupManifestFormat.encodeSlot(slot(m, 1), c);
    Manifest got = GroupManifestFormat.decode(m, GroupManifestFormat.FILE_BYTES, null, null, FILE);
    assertThat(got.activeSlot()).isEqualTo(1);
    assertThat(got.active()).isEqualTo(c);
    assertThat(got.otherProblem()).isNull();
    // A newer commit in slot 0, then damaged: slot 1 wins again.
    GroupManifestFormat.encodeSlot(slot(m, 0), new Commit(3, 100, List.of()));
    assertThat(GroupManifestFormat.decode(m, m.byteSize(), null, null, FILE).activeSlot()).isZero();
    slot(m, 0).set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
    Manifest fallback = GroupManifestFormat.decode(m, m.byteSize(), null, null, FILE);
    assertThat(fallback.active()).isEqualTo(c);
    assertThat(fallback.otherProblem()).contains("fails its checksum");
  }

  /**
   * Writes a slot with a bad entry but a correct checksum: a writer bug, caught by the entry check.
   */
  private static String badEntryProblem(int offsetInEntry, byte value) throws VecFormatException {
    MemorySegment m = fresh();
    MemorySegment s = slot(m, 1);
    GroupManifestFormat.encodeSlot(
        s, new Commit(2, 1, List.of(new Column("a", ElementType.INT, 4, 5, 1))));
    s.set(ValueLayout.JAVA_BYTE, 64 + offsetInEntry, value);
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(0, 60).toArray(ValueLayout.JAVA_BYTE));
    crc.update(s.asSlice(64, 64).toArray(ValueLayout.JAVA_BYTE));
    s.set(ValueLayout.JAVA_INT_UNALIGNED, 60, (int) crc.getValue());
    Manifest got = GroupManifestFormat.decode(m, m.byteSize(), null, null, FILE);
    assertThat(got.activeSlot()).as("the bad slot never wins").isZero();
    return got.otherProblem();
  }

  @Test
  void anEntryWithABadFieldMakesItsSlotInvalid() throws VecFormatException {
    assertThat(badEntryProblem(0, (byte) '-')).contains("may only use");
    assertThat(badEntryProblem(0, (byte) 0)).contains("1 to 31");
    assertThat(badEntryProblem(5, (byte) 'x')).contains("followed by non-zero");
    assertThat(badEntryProblem(32, (byte) 99)).contains("unknown type code 99");
    assertThat(badEntryProblem(36, (byte) 8)).contains("element size 8 for int");
    assertThat(badEntryProblem(47, (byte) 0x80)).contains("size");
    assertThat(badEntryProblem(48, (byte) 0)).contains("column sequence");
  }

  @Test
  void columnsAndCommitsRefuseWhatTheFormatCannotHold() {
    assertThatThrownBy(() -> new Column("a b", ElementType.INT, 4, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Column("x".repeat(32), ElementType.INT, 4, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Column("a", ElementType.INT, 8, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Column("a", ElementType.INT, 4, -1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Column("a", ElementType.INT, 4, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    Column a = new Column("a", ElementType.INT, 4, 0, 1);
    assertThatThrownBy(() -> new Commit(1, 0, List.of(a, a)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Commit(0, 0, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    List<Column> many = new ArrayList<>();
    for (int i = 0; i <= GroupManifestFormat.MAX_COLUMNS; i++) {
      many.add(new Column("c" + i, ElementType.INT, 4, 0, 1));
    }
    assertThatThrownBy(() -> new Commit(1, 0, many)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theIdentityIsCheckedFieldByField() {
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () ->
                GroupManifestFormat.decode(
                    fresh(), GroupManifestFormat.FILE_BYTES, "OTHERAPP", V, FILE));
    assertThat(e.reason()).isEqualTo(Reason.MAGIC_MISMATCH);
    assertThat(e.file()).isEqualTo(FILE);
    e =
        catchThrowableOfType(
            VecFormatException.class,
            () ->
                GroupManifestFormat.decode(
                    fresh(), GroupManifestFormat.FILE_BYTES, "TICKDATA", DataVersion.NONE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.DATA_VERSION_MISMATCH);
    e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> GroupManifestFormat.decode(fresh(), 100, null, null, FILE));
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
  }
}
