package io.mmapvec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ColumnarVec#columnSegment} and {@link ColumnarVec#sequence}. */
class ColumnSegmentTest {
  record Row(long id, char code, boolean ok) {}

  @TempDir Path dir;

  @Test
  void everyColumnIsReadableAsBytesCharAndBooleanIncluded() throws Exception {
    Path g = dir.resolve("rows");
    long sequence;
    try (ColumnarVec<Row> v = ColumnarVec.open(g, Row.class)) {
      for (int i = 0; i < 1_000; i++) {
        v.add(new Row(i * 7L, (char) (60_000 + i), i % 3 == 0));
      }
      v.sync();
      sequence = v.sequence();
    }
    try (VecGroup group = VecGroup.open(g, VecOptions.defaults().withReadOnly(true))) {
      assertThat(group.sequence()).isEqualTo(sequence);
    }
    try (ColumnarVec<Row> v =
        ColumnarVec.open(g, Row.class, VecOptions.defaults().withReadOnly(true))) {
      assertThat(v.sequence()).isEqualTo(sequence);
      MemorySegment id = v.columnSegment("id");
      MemorySegment code = v.columnSegment("code");
      MemorySegment ok = v.columnSegment("ok");
      assertThat(id.byteSize()).isEqualTo(8_000);
      assertThat(code.byteSize()).isEqualTo(2_000);
      assertThat(ok.byteSize()).isEqualTo(1_000);
      for (int i = 0; i < 1_000; i++) {
        assertThat(id.get(JAVA_LONG_UNALIGNED, 8L * i)).isEqualTo(i * 7L);
        assertThat(code.get(JAVA_CHAR_UNALIGNED, 2L * i)).isEqualTo((char) (60_000 + i));
        assertThat(ok.get(JAVA_BYTE, i)).isEqualTo((byte) (i % 3 == 0 ? 1 : 0));
      }
      assertThat(ok.isReadOnly()).as("a read-only vector's view").isTrue();
      assertThatThrownBy(() -> v.columnSegment("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
      v.close();
      assertThatThrownBy(() -> v.columnSegment("id")).isInstanceOf(VecClosedException.class);
      assertThatThrownBy(v::sequence).isInstanceOf(VecClosedException.class);
      assertThatThrownBy(() -> ok.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void writesThroughAWritableViewAreCommittedData() throws Exception {
    Path g = dir.resolve("rows");
    try (ColumnarVec<Row> v = ColumnarVec.open(g, Row.class)) {
      v.resize(10, new Row(0, 'a', false));
      v.columnSegment("code").set(JAVA_CHAR_UNALIGNED, 2 * 4, 'z');
      v.columnSegment("ok").set(JAVA_BYTE, 9, (byte) 1);
    }
    try (ColumnarVec<Row> v =
        ColumnarVec.open(g, Row.class, VecOptions.defaults().withReadOnly(true))) {
      assertThat(v.get(4)).isEqualTo(new Row(0, 'z', false));
      assertThat(v.get(9)).isEqualTo(new Row(0, 'a', true));
    }
  }
}
