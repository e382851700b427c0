package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.struct.RecordLayouts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout of record elements against offsets computed by hand with C's rules: natural alignment,
 * each field at the next multiple of its size, the element padded to a multiple of its largest
 * field. Every expectation below is what {@code gcc -m64} gives for a struct of the same fields
 * (and {@link StructInteropTest} checks that with a real compiler).
 */
class RecordLayoutTest {

  record A(byte b, long l) {}

  record B(int i, byte b) {}

  record C(short s, byte b, double d, char c) {}

  record D(boolean x, boolean y) {}

  record E(byte a, short b, byte c) {}

  record F(char c, float f) {}

  record G(double d, byte b) {}

  record H(float f, double d, float g) {}

  record I(byte a, byte b, byte c) {}

  record J(long a, byte b, int c, short d) {}

  /** One field: name, type, offset. */
  private static FieldLayout f(String name, ElementType type, long offset) {
    return new FieldLayout(name, type, offset);
  }

  private static void assertLayout(
      Class<?> type, long size, long alignment, FieldLayout... fields) {
    ElementLayout layout = RecordLayouts.of(type);
    assertThat(layout.type()).isEqualTo(ElementType.STRUCT);
    assertThat(layout.fields()).as("fields of %s", type.getSimpleName()).containsExactly(fields);
    assertThat(layout.elementSize()).as("size of %s", type.getSimpleName()).isEqualTo(size);
    assertThat(layout.byteAlignment())
        .as("alignment of %s", type.getSimpleName())
        .isEqualTo(alignment);
  }

  @Test
  void byteThenLongPadsSevenBytesBeforeTheLong() {
    assertLayout(A.class, 16, 8, f("b", ElementType.BYTE, 0), f("l", ElementType.LONG, 8));
  }

  @Test
  void intThenBytePadsTheTailToTheIntAlignment() {
    assertLayout(B.class, 8, 4, f("i", ElementType.INT, 0), f("b", ElementType.BYTE, 4));
  }

  @Test
  void mixedFieldsPadBeforeTheDoubleAndAtTheTail() {
    assertLayout(
        C.class,
        24,
        8,
        f("s", ElementType.SHORT, 0),
        f("b", ElementType.BYTE, 2),
        f("d", ElementType.DOUBLE, 8),
        f("c", ElementType.CHAR, 16));
  }

  @Test
  void booleansAreOneByteEach() {
    assertLayout(D.class, 2, 1, f("x", ElementType.BOOLEAN, 0), f("y", ElementType.BOOLEAN, 1));
  }

  @Test
  void shortBetweenBytesIsAlignedAndTheTailPaddedToTwo() {
    assertLayout(
        E.class,
        6,
        2,
        f("a", ElementType.BYTE, 0),
        f("b", ElementType.SHORT, 2),
        f("c", ElementType.BYTE, 4));
  }

  @Test
  void charIsTwoBytesAndFloatAlignedToFour() {
    assertLayout(F.class, 8, 4, f("c", ElementType.CHAR, 0), f("f", ElementType.FLOAT, 4));
  }

  @Test
  void doubleThenByteHasSevenBytesOfTailPadding() {
    assertLayout(G.class, 16, 8, f("d", ElementType.DOUBLE, 0), f("b", ElementType.BYTE, 8));
  }

  @Test
  void floatsAroundADoublePadOnBothSides() {
    assertLayout(
        H.class,
        24,
        8,
        f("f", ElementType.FLOAT, 0),
        f("d", ElementType.DOUBLE, 8),
        f("g", ElementType.FLOAT, 16));
  }

  @Test
  void bytesOnlyNeedNoPadding() {
    assertLayout(
        I.class,
        3,
        1,
        f("a", ElementType.BYTE, 0),
        f("b", ElementType.BYTE, 1),
        f("c", ElementType.BYTE, 2));
  }

  @Test
  void padsInsideAndAtTheEnd() {
    assertLayout(
        J.class,
        24,
        8,
        f("a", ElementType.LONG, 0),
        f("b", ElementType.BYTE, 8),
        f("c", ElementType.INT, 12),
        f("d", ElementType.SHORT, 16));
  }

  @Test
  void tickIsTwentyFourBytes() {
    assertLayout(
        Tick.class,
        24,
        8,
        f("time", ElementType.LONG, 0),
        f("price", ElementType.DOUBLE, 8),
        f("qty", ElementType.INT, 16));
  }

  @Test
  void allEightTypes() {
    assertLayout(
        All8.class,
        48,
        8,
        f("b", ElementType.BYTE, 0),
        f("s", ElementType.SHORT, 2),
        f("c", ElementType.CHAR, 4),
        f("i", ElementType.INT, 8),
        f("l", ElementType.LONG, 16),
        f("f", ElementType.FLOAT, 24),
        f("d", ElementType.DOUBLE, 32),
        f("z", ElementType.BOOLEAN, 40));
  }

  @Test
  void theVectorAndTheFileHeaderShowTheSameLayout(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.vec");
    try (StructVec<C> v = StructVec.open(file, C.class)) {
      assertThat(v.elementSize()).isEqualTo(24);
      assertThat(v.fields())
          .extracting(StructVec.Field::name, StructVec.Field::type, StructVec.Field::offset)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("s", short.class, 0L),
              org.assertj.core.groups.Tuple.tuple("b", byte.class, 2L),
              org.assertj.core.groups.Tuple.tuple("d", double.class, 8L),
              org.assertj.core.groups.Tuple.tuple("c", char.class, 16L));
    }
    VecDescription d = VecFiles.describe(file);
    assertThat(d.elementType()).isEqualTo("struct");
    assertThat(d.elementSize()).isEqualTo(24);
    assertThat(d.elementByteAlignment()).isEqualTo(8);
    assertThat(d.fields())
        .containsExactly(
            new FieldDescription("s", "short", 0, 2),
            new FieldDescription("b", "byte", 2, 1),
            new FieldDescription("d", "double", 8, 8),
            new FieldDescription("c", "char", 16, 2));
  }

  @Test
  void nonRecordClassesAreRefused() {
    assertThatThrownBy(() -> RecordLayouts.of(String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.String is not a record class");
  }

  @Test
  void componentNamesUpToThirtyOneBytesFit() {
    assertThat(RecordLayouts.of(StructRecords.LongestName.class).fields())
        .extracting(FieldLayout::name)
        .isEqualTo(List.of("abcdefghijklmnopqrstuvwxyz01234"));
  }
}
