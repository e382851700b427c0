package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import io.mmapvec.StructRecords.TickBid;
import io.mmapvec.StructRecords.TickFlags;
import io.mmapvec.StructRecords.TickFloatPrice;
import io.mmapvec.StructRecords.TickTwin;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour of {@link StructVec}: every method, the field accessors, and the layout checks. */
class StructVecTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("ticks.vec");
  }

  private static Tick tick(long i) {
    return new Tick(1_000 + i, i * 0.5 + 0.25, (int) (i * 3));
  }

  private static List<Tick> ticks(int from, int to) {
    List<Tick> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(tick(i));
    }
    return out;
  }

  private static List<Tick> contents(StructVec<Tick> v) {
    List<Tick> out = new ArrayList<>();
    for (long i = 0; i < v.size(); i++) {
      out.add(v.get(i));
    }
    return out;
  }

  // ------------------------------------------------------------------ records

  @Test
  void addGetAndSetRoundTripRecords() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThat(v.isEmpty()).isTrue();
      v.add(new Tick(1, 2.5, 3));
      assertThat(v.get(0)).isEqualTo(new Tick(1, 2.5, 3));
      v.set(0, new Tick(4, 5.5, 6));
      assertThat(v.get(0)).isEqualTo(new Tick(4, 5.5, 6));
      assertThat(v.size()).isEqualTo(1);
      assertThat(v.isEmpty()).isFalse();
      assertThat(v.elementSize()).isEqualTo(24);
      assertThat(v.recordType()).isEqualTo(Tick.class);
      assertThat(v.path()).isEqualTo(file());
      assertThat(v.options()).isEqualTo(VecOptions.defaults());
      assertThat(v.toString()).isEqualTo("StructVec<Tick>[" + file() + ", size=1]");
    }
  }

  @Test
  void everyComponentTypeRoundTripsWithExtremeValues() throws IOException {
    List<All8> values =
        List.of(
            new All8((byte) 0, (short) 0, '\0', 0, 0, 0f, 0.0, false),
            new All8(
                Byte.MIN_VALUE,
                Short.MIN_VALUE,
                Character.MIN_SURROGATE,
                Integer.MIN_VALUE,
                Long.MIN_VALUE,
                Float.NEGATIVE_INFINITY,
                -0.0,
                true),
            new All8(
                Byte.MAX_VALUE,
                Short.MAX_VALUE,
                Character.MAX_VALUE,
                Integer.MAX_VALUE,
                Long.MAX_VALUE,
                Float.MAX_VALUE,
                Double.NaN,
                true));
    try (StructVec<All8> v = StructVec.open(dir.resolve("all.vec"), All8.class)) {
      values.forEach(v::add);
      assertThat(v.toList()).isEqualTo(values);
    }
    try (StructVec<All8> v = StructVec.open(dir.resolve("all.vec"), All8.class)) {
      assertThat(v.toList()).isEqualTo(values);
      MemorySegment s = v.asSegment();
      assertThat(s.get(ValueLayout.JAVA_BYTE, 48 + 40))
          .as("true is stored as 1")
          .isEqualTo((byte) 1);
      assertThat(s.get(ValueLayout.JAVA_BYTE, 40)).as("false is stored as 0").isEqualTo((byte) 0);
      assertThat(s.get(ValueLayout.JAVA_LONG, 48 + 16)).isEqualTo(Long.MIN_VALUE);
      assertThat(s.get(ValueLayout.JAVA_CHAR, 96 + 4)).isEqualTo(Character.MAX_VALUE);
    }
  }

  @Test
  void insertRemoveAndSwapRemoveShiftRecords() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 5));
      v.insertAt(2, tick(99));
      v.insertAt(6, tick(98));
      v.insertAt(0, tick(97));
      assertThat(contents(v))
          .containsExactly(
              tick(97), tick(0), tick(1), tick(99), tick(2), tick(3), tick(4), tick(98));
      assertThat(v.removeAt(3)).isEqualTo(tick(99));
      assertThat(v.swapRemoveAt(0)).isEqualTo(tick(97));
      assertThat(contents(v))
          .containsExactly(tick(98), tick(0), tick(1), tick(2), tick(3), tick(4));
      assertThat(v.swapRemoveAt(5)).isEqualTo(tick(4));
      assertThat(v.removeLast()).isEqualTo(tick(3));
      assertThat(contents(v)).containsExactly(tick(98), tick(0), tick(1), tick(2));
    }
  }

  @Test
  void truncateResizeClearAndRemoveLastOnEmpty() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 10));
      v.truncate(20);
      assertThat(v.size()).isEqualTo(10);
      v.truncate(4);
      assertThat(contents(v)).isEqualTo(ticks(0, 4));
      Tick fill = new Tick(-1, -1.5, -1);
      v.resize(7, fill);
      assertThat(contents(v)).containsExactly(tick(0), tick(1), tick(2), tick(3), fill, fill, fill);
      v.resize(2, fill);
      assertThat(contents(v)).isEqualTo(ticks(0, 2));
      v.clear();
      assertThat(v.isEmpty()).isTrue();
      assertThatThrownBy(v::removeLast).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> v.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> v.resize(-1, fill)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void indicesOutOfRangeAreRefused() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(tick(0));
      assertThatThrownBy(() -> v.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.set(1, tick(1))).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.insertAt(2, tick(1)))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.removeAt(1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.swapRemoveAt(1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.doubleField("price").get(1))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> v.doubleField("price").set(-1, 1))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThat(contents(v)).containsExactly(tick(0));
    }
  }

  @Test
  void nullRecordsAreRefusedAndLeaveTheVectorUnchanged() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(tick(0));
      assertThatThrownBy(() -> v.add(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> v.set(0, null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> v.insertAt(0, null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> v.resize(3, null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> v.addAll(Arrays.asList(tick(1), null)))
          .isInstanceOf(NullPointerException.class);
      assertThat(contents(v)).containsExactly(tick(0));
    }
  }

  @Test
  void addAllAppendsInOrderAndGrowsTheFile() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      long initialCapacity = v.capacity();
      List<Tick> many = ticks(0, 100_000); // 2.4 MB: several growths and staging chunks
      v.addAll(List.of());
      v.addAll(many);
      assertThat(v.size()).isEqualTo(many.size());
      assertThat(v.capacity()).isGreaterThan(initialCapacity).isGreaterThanOrEqualTo(v.size());
      assertThat(v.toList()).isEqualTo(many);
      for (int i = 0; i < 50_000; i++) {
        v.add(tick(100_000 + i));
      }
      assertThat(v.get(149_999)).isEqualTo(tick(149_999));
      assertThat(v.stats().growths()).isPositive();
    }
  }

  @Test
  void streamIteratorForEachAndToListSeeTheElementsInOrder() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 50));
      assertThat(v.stream().toList()).isEqualTo(ticks(0, 50));
      assertThat(v.stream().parallel().mapToLong(Tick::qty).sum())
          .isEqualTo(ticks(0, 50).stream().mapToLong(Tick::qty).sum());
      List<Tick> seen = new ArrayList<>();
      v.forEach(seen::add);
      assertThat(seen).isEqualTo(ticks(0, 50));
      seen.clear();
      for (Tick t : v) {
        seen.add(t);
      }
      assertThat(seen).isEqualTo(ticks(0, 50));
      Iterator<Tick> it = v.iterator();
      for (int i = 0; i < 50; i++) {
        it.next();
      }
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> v.toList().add(tick(0)))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void reserveAndShrinkToFitChangeTheCapacityButNotTheElements() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 10));
      v.reserve(1_000_000);
      assertThat(v.capacity()).isGreaterThanOrEqualTo(1_000_010);
      long fileBytes = Files.size(file());
      v.shrinkToFit();
      assertThat(v.capacity()).isLessThan(1_000_000).isGreaterThanOrEqualTo(10);
      assertThat(Files.size(file())).isLessThan(fileBytes);
      assertThat(contents(v)).isEqualTo(ticks(0, 10));
      assertThatThrownBy(() -> v.reserve(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void asSegmentShowsTheCLayoutAndWritesThroughIt() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(new Tick(7, 8.5, 9));
      v.add(new Tick(10, 11.5, 12));
      MemorySegment s = v.asSegment();
      assertThat(s.byteSize()).isEqualTo(48);
      assertThat(s.get(ValueLayout.JAVA_LONG, 24)).isEqualTo(10);
      assertThat(s.get(ValueLayout.JAVA_DOUBLE, 24 + 8)).isEqualTo(11.5);
      assertThat(s.get(ValueLayout.JAVA_INT, 24 + 16)).isEqualTo(12);
      assertThat(s.get(ValueLayout.JAVA_INT, 20)).as("tail padding of a new file").isZero();
      s.set(ValueLayout.JAVA_INT, 16, 42);
      assertThat(v.get(0)).isEqualTo(new Tick(7, 8.5, 42));
    }
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThat(v.get(0).qty()).as("a write through the view is synced by close").isEqualTo(42);
    }
  }

  @Test
  void recordsSurviveSyncCloseAndReopen() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 1000));
      v.sync();
      v.set(5, tick(-5));
    }
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      List<Tick> expected = new ArrayList<>(ticks(0, 1000));
      expected.set(5, tick(-5));
      assertThat(v.toList()).isEqualTo(expected);
    }
  }

  @Test
  void theFallbackBackendRemapsOnGrowthAndFieldsFollow() throws IOException {
    Backend channel = Backend.channelBackend();
    try (StructVec<Tick> v =
        StructVec.open(file(), Tick.class, VecOptions.defaults(), null, channel)) {
      StructVec.DoubleField price = v.doubleField("price");
      for (int i = 0; i < 20_000; i++) {
        v.add(tick(i));
        price.set(i, -i);
      }
      assertThat(v.stats().remaps()).as("every growth remaps on the fallback").isPositive();
      assertThat(price.get(19_999)).isEqualTo(-19_999);
    }
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThat(v.size()).isEqualTo(20_000);
      assertThat(v.get(12_345))
          .isEqualTo(new Tick(tick(12_345).time(), -12_345, tick(12_345).qty()));
    }
    assertThat(VecFiles.describe(file(), channel).size()).isEqualTo(20_000);
  }

  @Test
  void aRecordOfTheSameLayoutUnderAnotherNameOpensTheFile() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(new Tick(1, 2.5, 3));
    }
    try (StructVec<TickTwin> v = StructVec.open(file(), TickTwin.class)) {
      assertThat(v.get(0)).isEqualTo(new TickTwin(1, 2.5, 3));
    }
  }

  // ------------------------------------------------------------------ fields

  @Test
  void fieldAccessorsReadAndWriteOneComponentInPlace() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(new Tick(1, 2.5, 3));
      v.add(new Tick(4, 5.5, 6));
      StructVec.LongField time = v.longField("time");
      StructVec.DoubleField price = v.doubleField("price");
      StructVec.IntField qty = v.intField("qty");
      assertThat(price.get(0)).isEqualTo(2.5);
      assertThat(time.get(1)).isEqualTo(4);
      assertThat(qty.get(1)).isEqualTo(6);
      price.set(0, 2.75);
      time.set(1, 40);
      qty.set(0, 30);
      assertThat(v.toList()).containsExactly(new Tick(1, 2.75, 30), new Tick(40, 5.5, 6));
      assertThat(price.name()).isEqualTo("price");
      assertThat(price.type()).isEqualTo(double.class);
      assertThat(price.offset()).isEqualTo(8);
      assertThat(price.byteSize()).isEqualTo(8);
      assertThat(v.fields()).containsExactly(time, price, qty);
      assertThat(v.field("price")).isSameAs(price);
      assertThat(price.toString()).isEqualTo("Field[Tick.price, double@8]");
    }
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThat(v.toList()).containsExactly(new Tick(1, 2.75, 30), new Tick(40, 5.5, 6));
    }
  }

  @Test
  void everyTypedAccessorReachesItsField() throws IOException {
    try (StructVec<All8> v = StructVec.open(dir.resolve("all.vec"), All8.class)) {
      v.add(new All8((byte) 0, (short) 0, 'a', 0, 0, 0, 0, false));
      v.add(new All8((byte) 1, (short) 2, 'b', 3, 4, 5.5f, 6.5, true));
      assertThat(v.byteField("b").get(1)).isEqualTo((byte) 1);
      assertThat(v.shortField("s").get(1)).isEqualTo((short) 2);
      assertThat(v.charField("c").get(1)).isEqualTo('b');
      assertThat(v.intField("i").get(1)).isEqualTo(3);
      assertThat(v.longField("l").get(1)).isEqualTo(4);
      assertThat(v.floatField("f").get(1)).isEqualTo(5.5f);
      assertThat(v.doubleField("d").get(1)).isEqualTo(6.5);
      assertThat(v.booleanField("z").get(1)).isTrue();
      v.byteField("b").set(0, (byte) -1);
      v.shortField("s").set(0, (short) -2);
      v.charField("c").set(0, '\u20ac');
      v.intField("i").set(0, -3);
      v.longField("l").set(0, -4);
      v.floatField("f").set(0, -5.5f);
      v.doubleField("d").set(0, -6.5);
      v.booleanField("z").set(0, true);
      assertThat(v.get(0))
          .isEqualTo(new All8((byte) -1, (short) -2, '\u20ac', -3, -4, -5.5f, -6.5, true));
      v.booleanField("z").set(1, false);
      assertThat(v.get(1).z()).isFalse();
      assertThat(v.get(1)).isEqualTo(new All8((byte) 1, (short) 2, 'b', 3, 4, 5.5f, 6.5, false));
    }
  }

  @Test
  void aViewOfTheWrongTypeIsRefusedAtLookupNamingTheFieldAndItsType() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(tick(0));
      assertThatThrownBy(() -> v.longField("price"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "field 'price' of Tick is double, not long; use doubleField(\"price\") (")
          .hasMessageContaining(file().toString());
      assertThatThrownBy(() -> v.doubleField("qty"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("field 'qty' of Tick is int, not double; use intField(\"qty\")");
      List<Function<String, StructVec.Field>> others =
          List.of(
              v::byteField,
              v::shortField,
              v::charField,
              v::intField,
              v::floatField,
              v::booleanField);
      for (Function<String, StructVec.Field> lookup : others) {
        assertThatThrownBy(() -> lookup.apply("price"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is double, not ");
      }
      assertThatThrownBy(() -> v.doubleField("bid"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no component 'bid'");
      assertThat(v.field("price")).isInstanceOf(StructVec.DoubleField.class);
      assertThat(v.doubleField("price")).isSameAs(v.field("price"));
      assertThat(v.field("qty")).isInstanceOf(StructVec.IntField.class);
      assertThat(v.get(0)).as("nothing was written").isEqualTo(tick(0));
    }
  }

  @Test
  void anUnknownFieldNameListsTheComponents() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThatThrownBy(() -> v.field("bid"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("record Tick has no component 'bid'; its components are [time, price, qty]");
    }
  }

  // ------------------------------------------------------------------ refused records

  @Test
  void recordsWithNonPrimitiveComponentsAreRefusedNamingTheComponent() {
    record Case(Class<? extends Record> type, String component, String typeName) {}
    for (Case c :
        List.of(
            new Case(StructRecords.WithString.class, "name", "java.lang.String"),
            new Case(StructRecords.WithNested.class, "tick", "io.mmapvec.StructRecords$Tick"),
            new Case(StructRecords.WithArray.class, "values", "int[]"),
            new Case(StructRecords.WithBoxed.class, "time", "java.lang.Long"))) {
      assertThatThrownBy(() -> StructVec.open(file(), c.type()).close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "record component "
                  + c.type().getName()
                  + "."
                  + c.component()
                  + " has type "
                  + c.typeName()
                  + "; StructVec supports only components of type byte, short, char, int, long,"
                  + " float, double and boolean");
    }
    assertThat(file()).as("a refused record never creates the file").doesNotExist();
  }

  @Test
  void recordsThatDoNotFitTheHeaderAreRefused() {
    assertThatThrownBy(() -> StructVec.open(file(), StructRecords.Empty.class).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no components");
    assertThatThrownBy(() -> StructVec.open(file(), StructRecords.Wide.class).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 85 components, the file header holds at most 84");
    assertThatThrownBy(() -> StructVec.open(file(), StructRecords.LongName.class).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "LongName.abcdefghijklmnopqrstuvwxyz012345 has a name of 32 bytes of UTF-8, the file"
                + " header holds at most 31");
    assertThat(file()).doesNotExist();
  }

  // ------------------------------------------------------------------ layout checks on reopen

  private VecFormatException reopenFailure(Class<? extends Record> type) throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(tick(1));
    }
    byte[] before = Files.readAllBytes(file());
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> StructVec.open(file(), type).close());
    assertThat(e).as("opening as %s", type.getSimpleName()).isNotNull();
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(Files.readAllBytes(file()))
        .as("the refused file is left as it was")
        .isEqualTo(before);
    return e;
  }

  @Test
  void reopeningWithAnotherFieldTypeNamesThatField() throws IOException {
    assertThat(reopenFailure(TickFloatPrice.class).getMessage())
        .startsWith("field 1 is 'price' double@8 in the file, 'price' float@8 in the record")
        .endsWith("(" + file() + ")");
  }

  @Test
  void reopeningWithAnotherFieldNameNamesThatField() throws IOException {
    assertThat(reopenFailure(TickBid.class).getMessage())
        .startsWith("field 1 is 'price' double@8 in the file, 'bid' double@8 in the record");
  }

  @Test
  void reopeningWithAnExtraFieldNamesIt() throws IOException {
    assertThat(reopenFailure(TickFlags.class).getMessage())
        .startsWith(
            "file holds struct elements with 3 fields, opened as struct with 4 fields: field 3"
                + " 'flags' int@20 is only in the record");
  }

  @Test
  void reopeningWithAnotherRecordEntirelyNamesTheFirstField() throws IOException {
    assertThat(reopenFailure(All8.class).getMessage())
        .startsWith("field 0 is 'time' long@0 in the file, 'b' byte@0 in the record");
  }

  @Test
  void primitiveAndRecordVectorsRefuseEachOthersFiles() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(tick(1));
    }
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> LongVec.open(file()).close());
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).startsWith("file holds struct (24 bytes), opened as long (8 bytes)");

    Path longs = dir.resolve("longs.vec");
    LongVec.open(longs).close();
    e =
        catchThrowableOfType(
            VecFormatException.class, () -> StructVec.open(longs, Tick.class).close());
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).startsWith("file holds long (8 bytes), opened as struct (24 bytes)");
  }

  @Test
  void magicAndDataVersionAreCheckedAsForPrimitiveVectors() throws IOException {
    VecOptions options = VecOptions.defaults().withMagic("TICKDATA").withDataVersion(1, 0, 0);
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class, options)) {
      v.add(tick(1));
    }
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class, () -> StructVec.open(file(), Tick.class).close());
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.MAGIC_MISMATCH);
    e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> StructVec.open(file(), Tick.class, options.withDataVersion(2, 0, 0)).close());
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.DATA_VERSION_MISMATCH);
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class, options)) {
      assertThat(v.get(0)).isEqualTo(tick(1));
    }
  }

  // ------------------------------------------------------------------ read-only, close, locks

  @Test
  void aReadOnlyVectorReadsButRefusesEveryWrite() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.addAll(ticks(0, 3));
    }
    VecOptions readOnly = VecOptions.defaults().withReadOnly(true);
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class, readOnly)) {
      assertThat(v.toList()).isEqualTo(ticks(0, 3));
      assertThat(v.doubleField("price").get(2)).isEqualTo(tick(2).price());
      List<ThrowingRunnable> writes =
          List.of(
              () -> v.add(tick(9)),
              () -> v.set(0, tick(9)),
              () -> v.insertAt(0, tick(9)),
              () -> v.removeAt(0),
              () -> v.swapRemoveAt(0),
              v::removeLast,
              () -> v.truncate(1),
              () -> v.resize(5, tick(9)),
              v::clear,
              () -> v.addAll(List.of(tick(9))),
              () -> v.reserve(10),
              v::shrinkToFit,
              () -> v.doubleField("price").set(0, 1),
              () -> v.intField("qty").set(0, 1),
              () -> v.longField("time").set(0, 1));
      for (ThrowingRunnable w : writes) {
        assertThatThrownBy(w::run).isInstanceOf(UnsupportedOperationException.class);
      }
      assertThatThrownBy(() -> v.asSegment().set(ValueLayout.JAVA_LONG, 0, 1))
          .isInstanceOf(IllegalArgumentException.class);
      v.sync();
      assertThat(v.toList()).isEqualTo(ticks(0, 3));
    }
  }

  @Test
  void readOnlyOpenOfAMissingFileCreatesNothing() {
    assertThatThrownBy(
            () ->
                StructVec.open(file(), Tick.class, VecOptions.defaults().withReadOnly(true))
                    .close())
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
    assertThat(file()).doesNotExist();
  }

  @Test
  void afterCloseTheVectorAndItsFieldsThrowVecClosedException() throws IOException {
    StructVec<Tick> v = StructVec.open(file(), Tick.class);
    v.add(tick(0));
    StructVec.DoubleField price = v.doubleField("price");
    v.close();
    v.close(); // idempotent
    assertThat(v.toString()).endsWith(", closed]");
    List<ThrowingRunnable> uses =
        List.of(
            () -> v.get(0),
            () -> v.add(tick(1)),
            () -> v.set(0, tick(1)),
            v::size,
            v::capacity,
            v::removeLast,
            () -> v.insertAt(0, tick(1)),
            () -> v.removeAt(0),
            () -> v.addAll(List.of(tick(1))),
            v::asSegment,
            v::sync,
            v::stats,
            () -> price.get(0),
            () -> price.set(0, 1));
    for (ThrowingRunnable use : uses) {
      assertThatThrownBy(use::run).isInstanceOf(VecClosedException.class);
    }
  }

  @Test
  void aSecondWriterInThisJvmIsRefusedButReadersAndDescribeOpen() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      assertThatThrownBy(() -> StructVec.open(file(), Tick.class).close())
          .isInstanceOf(VecLockedException.class);
      assertThatThrownBy(() -> VecFiles.openReader(file()).close())
          .isInstanceOf(VecLockedException.class);
      v.add(tick(0));
      v.sync();
      assertThat(VecFiles.describe(file()).size()).isEqualTo(1);
      try (StructVec<Tick> reader =
          StructVec.open(file(), Tick.class, VecOptions.defaults().withReadOnly(true))) {
        assertThat(reader.size()).isEqualTo(1);
        assertThat(reader.get(0)).isEqualTo(tick(0));
        v.add(tick(1));
        assertThat(reader.refresh()).as("not committed yet").isEqualTo(1);
        v.sync();
        assertThat(reader.refresh()).isEqualTo(2);
        assertThat(reader.get(1)).isEqualTo(tick(1));
      }
      v.add(tick(2));
    }
  }

  // ------------------------------------------------------------------ access to the record class

  private record PrivateTick(long time, double price) {}

  @Test
  void aPrivateRecordOnTheClassPathNeedsNoLookup() throws IOException {
    try (StructVec<PrivateTick> v = StructVec.open(file(), PrivateTick.class)) {
      v.add(new PrivateTick(1, 2));
      assertThat(v.get(0)).isEqualTo(new PrivateTick(1, 2));
    }
  }

  @Test
  void aLookupMayBePassedForTheRecord() throws IOException {
    try (StructVec<PrivateTick> v =
        StructVec.open(file(), PrivateTick.class, VecOptions.defaults(), MethodHandles.lookup())) {
      v.add(new PrivateTick(3, 4));
      assertThat(v.get(0)).isEqualTo(new PrivateTick(3, 4));
    }
    MethodHandles.Lookup noAccess = MethodHandles.publicLookup();
    assertThatThrownBy(
            () ->
                StructVec.open(file(), PrivateTick.class, VecOptions.defaults(), noAccess).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the lookup passed to StructVec.open has no access to record");
  }

  @Test
  void compactConstructorChecksRunWhenRecordsAreRead() throws IOException {
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class)) {
      v.add(new Tick(1, 2, -3));
    }
    try (StructVec<Positive> v = StructVec.open(file(), Positive.class)) {
      assertThatThrownBy(() -> v.get(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("qty -3 is negative");
      assertThat(v.intField("qty").get(0)).isEqualTo(-3);
    }
  }

  record Positive(long time, double price, int qty) {
    Positive {
      if (qty < 0) {
        throw new IllegalArgumentException("qty " + qty + " is negative");
      }
    }
  }

  // ------------------------------------------------------------------ describe

  @Test
  void describeReadsTheLayoutAndCommitsWithoutAJavaClass() throws IOException {
    VecOptions options = VecOptions.defaults().withMagic("TICKDATA").withDataVersion(1, 2, 3);
    try (StructVec<Tick> v = StructVec.open(file(), Tick.class, options)) {
      v.addAll(ticks(0, 10));
      v.sync();
      v.add(tick(10));
    }
    VecDescription d = VecFiles.describe(file());
    assertThat(d.file()).isEqualTo(file());
    assertThat(d.magic()).isEqualTo("TICKDATA");
    assertThat(d.dataVersion()).isEqualTo(new DataVersion(1, 2, 3));
    assertThat(d.formatVersion()).isEqualTo(1);
    assertThat(d.byteOrder()).isEqualTo(java.nio.ByteOrder.nativeOrder());
    assertThat(d.elementType()).isEqualTo("struct");
    assertThat(d.isStruct()).isTrue();
    assertThat(d.elementSize()).isEqualTo(24);
    assertThat(d.elementByteAlignment()).isEqualTo(8);
    assertThat(d.fields())
        .containsExactly(
            new FieldDescription("time", "long", 0, 8),
            new FieldDescription("price", "double", 8, 8),
            new FieldDescription("qty", "int", 16, 4));
    assertThat(d.size()).isEqualTo(11);
    assertThat(d.dataOffset()).isEqualTo(65536);
    assertThat(d.fileByteSize()).isEqualTo(Files.size(file()));
    assertThat(d.capacity()).isEqualTo((d.fileByteSize() - 65536) / 24);
    // Created with sequence 1; the sync commits 2, the close 3.
    assertThat(d.active().sequence()).isEqualTo(3);
    assertThat(d.active().size()).isEqualTo(11);
    assertThat(d.active().slot()).isEqualTo(0);
    assertThat(d.other()).get().extracting(VecDescription.Commit::sequence).isEqualTo(2L);
    assertThat(d.other().get().size()).isEqualTo(10);
    assertThat(d.other().get().slot()).isEqualTo(1);
    assertThat(d.created()).isBeforeOrEqualTo(d.active().time());
  }

  @Test
  void describeReadsPrimitiveFilesAndRefusesOthers() throws IOException {
    Path longs = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(longs)) {
      v.add(5);
    }
    VecDescription d = VecFiles.describe(longs);
    assertThat(d.elementType()).isEqualTo("long");
    assertThat(d.isStruct()).isFalse();
    assertThat(d.fields()).isEmpty();
    assertThat(d.elementSize()).isEqualTo(8);
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.active())
        .extracting(VecDescription.Commit::slot, VecDescription.Commit::sequence)
        .containsExactly(1, 2L);
    assertThat(d.other()).get().extracting(VecDescription.Commit::size).isEqualTo(0L);

    Path fresh = dir.resolve("fresh.vec");
    LongVec.open(fresh).close(); // nothing to commit: only the slot written at create
    VecDescription f = VecFiles.describe(fresh);
    assertThat(f.active())
        .extracting(VecDescription.Commit::slot, VecDescription.Commit::sequence)
        .containsExactly(0, 1L);
    assertThat(f.other()).as("slot 1 was never written").isEmpty();

    Path junk = dir.resolve("junk.vec");
    Files.write(junk, new byte[70_000]);
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> VecFiles.describe(junk));
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.NOT_A_MMAPVEC_FILE);
    assertThatThrownBy(() -> VecFiles.describe(dir.resolve("missing.vec")))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
    // describe released its lock and registration: the file opens again at once.
    LongVec.open(longs).close();
  }

  @Test
  void describeWorksBesideReadersAndWritersAndReadingDataWaitsForNoWriter() throws Exception {
    Assumptions.assumeTrue(Posix.isAvailable(), "native access is not available");
    Path longs = dir.resolve("held.vec");
    try (LongVec v = LongVec.open(longs)) {
      v.add(5);
    }
    try (ChildJvm reader =
        ChildJvm.start(dir, "reader", Holder.class, longs.toString(), "ro", "native")) {
      reader.awaitLine("READY");
      assertThat(VecFiles.describe(longs).size()).isEqualTo(1);
    }
    try (ChildJvm writer =
        ChildJvm.start(dir, "writer", Holder.class, longs.toString(), "rw", "native")) {
      writer.awaitLine("READY");
      VecDescription d = VecFiles.describe(longs);
      assertThat(d.size()).isEqualTo(1);
      assertThat(d.lock().holder()).isEqualTo(VecDescription.LockState.Holder.WRITER);
      VecLockedException e =
          catchThrowableOfType(VecLockedException.class, () -> VecFiles.openReader(longs));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).startsWith("cannot lock for reading: process " + writer.pid());
    }
  }

  @Test
  void aRefusedDescribeInTheHoldingJvmLeavesTheFallbacksLockInPlace() throws Exception {
    // With the fallback, closing any descriptor of the file drops this process's POSIX locks: a
    // describe refused because this JVM has the file open must not have opened one.
    Backend channel = Backend.channelBackend();
    try (StructVec<Tick> v =
        StructVec.open(file(), Tick.class, VecOptions.defaults(), null, channel)) {
      v.add(tick(0));
      assertThatThrownBy(() -> VecFiles.describe(file(), channel))
          .isInstanceOf(VecLockedException.class)
          .hasMessageStartingWith("file is already open in this JVM");
      try (ChildJvm other =
          ChildJvm.start(dir, "other", Holder.class, file().toString(), "rw", "channel")) {
        assertThat(other.awaitLine("READY", "LOCKED", "FORMAT", "ERROR"))
            .as("the other process is still locked out")
            .startsWith("LOCKED");
      }
    }
  }

  /** A runnable that may throw anything; for lists of calls that must all fail the same way. */
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
