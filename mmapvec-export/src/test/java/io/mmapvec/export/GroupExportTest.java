package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.ByteVec;
import io.mmapvec.ColumnarVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecGroup;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Column groups (VecGroup, ColumnarVec) exported to Parquet (read back by DuckDB: count, sum, min,
 * max, first and last of every column against the values read through the core's typed API) and
 * Arrow (read back by arrow-java), column selection, and the refusals: a missing or extra column
 * file, columns of different lengths, a group without columns; none leaves an output file.
 */
class GroupExportTest {
  private static final int ROWS = 10_001;

  /** A record for a ColumnarVec, with every component type a group column can hold. */
  public record Tick(long time, double price, int qty, char side, boolean ok) {}

  @TempDir Path dir;

  @BeforeAll
  static void startDuckDb() throws Exception {
    ParquetRoundTripTest.startDuckDb();
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    ParquetRoundTripTest.stopDuckDb();
  }

  /** A group of long, double and byte columns and a record column; {@code n} rows each. */
  private Path group(int n) throws Exception {
    Path g = dir.resolve("ticks");
    SplittableRandom random = new SplittableRandom(42);
    Path recordFile = Fixtures.create(dir.resolve("records.vec"), Fixtures.Kind.RECORD, n);
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS);
        StructVec<Fixtures.AllTypes> records =
            StructVec.open(
                recordFile, Fixtures.AllTypes.class, Fixtures.OPTIONS.withReadOnly(true))) {
      LongVec time = group.longVec("time");
      DoubleVec price = group.doubleVec("price");
      ByteVec flag = group.byteVec("flag");
      StructVec<Fixtures.AllTypes> pos = group.structVec("pos", Fixtures.AllTypes.class);
      double[] special = {Double.NaN, -0.0, Double.NEGATIVE_INFINITY};
      for (int i = 0; i < n; i++) {
        time.add(i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : random.nextLong());
        price.add(i < special.length ? special[i] : random.nextDouble() * 1000 - 500);
        flag.add((byte) random.nextInt());
        pos.add(records.get(i));
      }
      group.sync();
    }
    Files.delete(recordFile);
    return g;
  }

  /** Every column of the group, named as exported, read through the core's typed API. */
  private static List<ColumnValues> expected(Path g) throws Exception {
    List<ColumnValues> out = new ArrayList<>();
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS.withReadOnly(true))) {
      for (String name : List.of("time", "price", "flag")) {
        Vec v =
            switch (name) {
              case "time" -> group.longVec(name);
              case "price" -> group.doubleVec(name);
              default -> group.byteVec(name);
            };
        ColumnValues c = ColumnValues.of(v).getFirst();
        out.add(new ColumnValues(name, c.type(), c.ints(), c.reals()));
      }
      for (ColumnValues c : ColumnValues.of(group.structVec("pos", Fixtures.AllTypes.class))) {
        out.add(new ColumnValues("pos." + c.name(), c.type(), c.ints(), c.reals()));
      }
    }
    return out;
  }

  private static Map<String, String> kv(Path parquet) throws Exception {
    Map<String, String> kv = new TreeMap<>();
    for (List<Object> row :
        duck()
            .rows(
                "SELECT key::VARCHAR, value::VARCHAR FROM parquet_kv_metadata("
                    + DuckDb.literal(parquet)
                    + ")")) {
      kv.put((String) row.get(0), (String) row.get(1));
    }
    return kv;
  }

  private static DuckDb duck() {
    return ParquetRoundTripTest.duck;
  }

  private static List<String> names(Path parquet) throws Exception {
    List<String> names = new ArrayList<>();
    for (List<Object> row :
        duck().rows("DESCRIBE SELECT * FROM read_parquet(" + DuckDb.literal(parquet) + ")")) {
      names.add((String) row.get(0));
    }
    return names;
  }

  @ParameterizedTest(name = "{0} rows")
  @ValueSource(ints = {ROWS, 1, 0})
  void aGroupBecomesOneColumnPerColumnAndComponent(int n) throws Exception {
    Path g = group(n);
    Path parquet = dir.resolve("out.parquet");
    List<Long> progress = new ArrayList<>();
    long written =
        VecExport.toParquet(
            g,
            parquet,
            ExportOptions.defaults().withRowGroupRows(2_500).withProgress(progress::add));
    assertThat(written).isEqualTo(n);
    List<ColumnValues> expected = expected(g);
    assertThat(names(parquet))
        .containsExactlyElementsOf(expected.stream().map(ColumnValues::name).toList());
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected) {
      ParquetRoundTripTest.checkColumn(soft, DuckDb.literal(parquet), c);
    }
    long sequence;
    long rowBytes;
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS.withReadOnly(true))) {
      sequence = group.sequence();
      rowBytes = 8 + 8 + 1 + group.structVec("pos", Fixtures.AllTypes.class).elementSize();
    }
    soft.assertThat(kv(parquet))
        .containsEntry("mmapvec.magic", "EXPORTTS")
        .containsEntry("mmapvec.dataVersion", "3.1.4")
        .containsEntry("mmapvec.elementType", "group")
        .containsEntry("mmapvec.groupSequence", Long.toString(sequence));
    soft.assertThat(progress).as("progress").isNotEmpty().isSorted();
    soft.assertThat(progress.getLast()).as("last progress").isEqualTo(n * rowBytes);
    soft.assertAll();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file is left")
          .containsExactlyInAnyOrder("ticks", "out.parquet");
    }
  }

  @Test
  void selectedColumnsAndRecordColumnsByName() throws Exception {
    Path g = group(3_000);
    Path parquet = dir.resolve("out.parquet");
    VecExport.toParquet(
        g, parquet, ExportOptions.defaults().withColumns(List.of("pos.d", "time", "price")));
    assertThat(names(parquet)).containsExactly("pos.d", "time", "price");
    VecExport.toParquet(g, parquet, ExportOptions.defaults().withColumns(List.of("flag", "pos")));
    assertThat(names(parquet))
        .containsExactly(
            "flag", "pos.b", "pos.l", "pos.s", "pos.c", "pos.i", "pos.f", "pos.d", "pos.z");
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected(g)) {
      if (!c.name().equals("time") && !c.name().equals("price")) {
        ParquetRoundTripTest.checkColumn(soft, DuckDb.literal(parquet), c);
      }
    }
    soft.assertAll();
    assertThatThrownBy(
            () ->
                VecExport.toParquet(
                    g, parquet, ExportOptions.defaults().withColumns(List.of("volume"))))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("no column 'volume'")
        .hasMessageContaining("pos.b");
  }

  @Test
  void aColumnarVecExportsOneColumnPerComponent() throws Exception {
    Path g = dir.resolve("columnar");
    List<Tick> ticks = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      ticks.add(
          new Tick(
              random.nextLong(),
              i == 0 ? -0.0 : random.nextDouble(),
              random.nextInt(),
              (char) random.nextInt(1 << 16),
              random.nextBoolean()));
    }
    try (ColumnarVec<Tick> v = ColumnarVec.open(g, Tick.class, Fixtures.OPTIONS)) {
      v.addAll(ticks);
    }
    Path parquet = dir.resolve("out.parquet");
    Path arrow = dir.resolve("out.arrow");
    // char and boolean columns too (UINT16, BOOLEAN), read through the ColumnarVec.
    VecExport.toParquet(g, parquet, ExportOptions.defaults().withRowGroupRows(1_500));
    VecExport.toArrow(g, arrow, ExportOptions.defaults().withRowGroupRows(1_000));
    int n = ticks.size();
    long[] time = new long[n], qty = new long[n], side = new long[n], ok = new long[n];
    double[] price = new double[n];
    for (int i = 0; i < n; i++) {
      Tick t = ticks.get(i);
      time[i] = t.time();
      price[i] = t.price();
      qty[i] = t.qty();
      side[i] = t.side();
      ok[i] = t.ok() ? 1 : 0;
    }
    List<ColumnValues> expected =
        List.of(
            new ColumnValues("time", ColumnType.LONG, time, null),
            new ColumnValues("price", ColumnType.DOUBLE, null, price),
            new ColumnValues("qty", ColumnType.INT, qty, null),
            new ColumnValues("side", ColumnType.CHAR, side, null),
            new ColumnValues("ok", ColumnType.BOOLEAN, ok, null));
    assertThat(names(parquet))
        .containsExactlyElementsOf(expected.stream().map(ColumnValues::name).toList());
    assertThat(
            duck()
                .rows("DESCRIBE SELECT side, ok FROM read_parquet(" + DuckDb.literal(parquet) + ")")
                .stream()
                .map(r -> r.get(1))
                .toList())
        .containsExactly("USMALLINT", "BOOLEAN");
    long sequence;
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS.withReadOnly(true))) {
      sequence = group.sequence();
    }
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected) {
      ParquetRoundTripTest.checkColumn(soft, DuckDb.literal(parquet), c);
    }
    soft.assertThat(kv(parquet))
        .containsEntry("mmapvec.elementType", "group")
        .containsEntry("mmapvec.groupSequence", Long.toString(sequence));
    soft.assertAll();
    checkArrow(arrow, expected);

    // A selection, in another order.
    VecExport.toParquet(g, parquet, ExportOptions.defaults().withColumns(List.of("ok", "time")));
    assertThat(names(parquet)).containsExactly("ok", "time");
    soft = new SoftAssertions();
    ParquetRoundTripTest.checkColumn(soft, DuckDb.literal(parquet), expected.get(4));
    ParquetRoundTripTest.checkColumn(soft, DuckDb.literal(parquet), expected.get(0));
    soft.assertAll();
  }

  @Test
  void aCharColumnBesideARecordColumnIsRefusedByNameUnlessLeftOut() throws Exception {
    Path g = dir.resolve("mixed");
    try (ColumnarVec<Tick> v = ColumnarVec.open(g, Tick.class, Fixtures.OPTIONS)) {
      v.add(new Tick(1, 2.5, 3, 'x', true));
    }
    Path recordFile = Fixtures.create(dir.resolve("records.vec"), Fixtures.Kind.RECORD, 1);
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS);
        StructVec<Fixtures.AllTypes> records =
            StructVec.open(
                recordFile, Fixtures.AllTypes.class, Fixtures.OPTIONS.withReadOnly(true))) {
      group.structVec("pos", Fixtures.AllTypes.class).add(records.get(0));
    }
    Path parquet = dir.resolve("out.parquet");
    // Only a ColumnarVec reads char and boolean columns, and a record column makes it none.
    assertThatThrownBy(() -> VecExport.toParquet(g, parquet, ExportOptions.defaults()))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("column 'side' holds char")
        .hasMessageContaining("--columns");
    assertThat(parquet).doesNotExist();
    VecExport.toParquet(
        g, parquet, ExportOptions.defaults().withColumns(List.of("time", "price", "qty", "pos")));
    assertThat(names(parquet)).startsWith("time", "price", "qty", "pos.b");
  }

  @Test
  void aGroupExportsToArrow() throws Exception {
    Path g = group(ROWS);
    Path arrow = dir.resolve("out.arrow");
    VecExport.toArrow(g, arrow, ExportOptions.defaults().withRowGroupRows(4_000));
    checkArrow(arrow, expected(g));
  }

  /** arrow-java reads every value of every column, to the bit. */
  private static void checkArrow(Path arrow, List<ColumnValues> expected) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel ch = FileChannel.open(arrow, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema().getFields())
          .extracting(Field::getName)
          .containsExactlyElementsOf(expected.stream().map(ColumnValues::name).toList());
      assertThat(root.getSchema().getCustomMetadata())
          .containsEntry("mmapvec.elementType", "group");
      int row0 = 0;
      while (reader.loadNextBatch()) {
        int n = root.getRowCount();
        for (int c = 0; c < expected.size(); c++) {
          ColumnValues e = expected.get(c);
          FieldVector v = root.getVector(c);
          for (int i = 0; i < n; i++) {
            int at = row0 + i;
            long actual =
                switch (v) {
                  case TinyIntVector t -> t.get(i);
                  case SmallIntVector t -> t.get(i);
                  case UInt2Vector t -> t.get(i);
                  case IntVector t -> t.get(i);
                  case BigIntVector t -> t.get(i);
                  case BitVector t -> t.get(i);
                  case Float4Vector t -> Float.floatToRawIntBits(t.get(i));
                  case Float8Vector t -> Double.doubleToRawLongBits(t.get(i));
                  default -> throw new AssertionError("unexpected vector " + v.getClass());
                };
            long wanted =
                switch (e.type()) {
                  case FLOAT -> Float.floatToRawIntBits((float) e.reals()[at]);
                  case DOUBLE -> Double.doubleToRawLongBits(e.reals()[at]);
                  default -> e.ints()[at];
                };
            if (actual != wanted) {
              throw new AssertionError(e.name() + "[" + at + "] is " + actual + ", not " + wanted);
            }
          }
        }
        row0 += n;
      }
      assertThat(row0).as("rows read").isEqualTo(expected.getFirst().size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "arrow"})
  void aMissingColumnFileIsTheGroupsErrorAndLeavesNoOutput(String format) throws Exception {
    Path g = group(100);
    Files.delete(g.resolve("price.vec"));
    Path out = dir.resolve("out." + format);
    assertThatThrownBy(() -> export(g, out, ExportOptions.defaults()))
        .isInstanceOfSatisfying(
            VecFormatException.class,
            e -> assertThat(e.reason()).isEqualTo(VecFormatException.Reason.COLUMN_MISSING))
        .hasMessageContaining("price");
    assertOnlyTheGroupIsLeft();
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "arrow"})
  void anExtraColumnFileIsTheGroupsErrorAndLeavesNoOutput(String format) throws Exception {
    Path g = group(100);
    // Made outside (a writer may not create a file in a group) and moved in.
    try (LongVec stray = LongVec.open(dir.resolve("stray.vec"), Fixtures.OPTIONS)) {
      stray.add(1);
    }
    Files.move(dir.resolve("stray.vec"), g.resolve("stray.vec"));
    Path out = dir.resolve("out." + format);
    assertThatThrownBy(() -> export(g, out, ExportOptions.defaults()))
        .isInstanceOfSatisfying(
            VecFormatException.class,
            e -> assertThat(e.reason()).isEqualTo(VecFormatException.Reason.COLUMN_EXTRA))
        .hasMessageContaining("stray");
    assertOnlyTheGroupIsLeft();
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "arrow", "default magic.parquet"})
  void aGroupWithoutColumnsIsRefusedAndLeavesNoOutput(String format) throws Exception {
    Path g = dir.resolve("ticks");
    try (VecGroup group =
        VecGroup.open(
            g,
            format.startsWith("default") ? io.mmapvec.VecOptions.defaults() : Fixtures.OPTIONS)) {
      group.sync();
    }
    Path out = dir.resolve("out." + format);
    assertThatThrownBy(() -> export(g, out, ExportOptions.defaults()))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("is a column group without column")
        .hasMessageContaining(g.toString());
    assertOnlyTheGroupIsLeft();
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "arrow"})
  void columnsOfDifferentLengthsAreRefusedUnlessSelectedApart(String format) throws Exception {
    Path g = dir.resolve("ticks");
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS)) {
      group.longVec("time").add(1);
      group.longVec("time").add(2);
      group.doubleVec("price").add(3.5);
      group.sync();
    }
    Path out = dir.resolve("out." + format);
    assertThatThrownBy(() -> export(g, out, ExportOptions.defaults()))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("differ in length")
        .hasMessageContaining("'time' has 2 rows, 'price' 1");
    assertOnlyTheGroupIsLeft();
    assertThat(export(g, out, ExportOptions.defaults().withColumns(List.of("price")))).isEqualTo(1);
  }

  @Test
  void aGroupHeldByAWriterIsRefusedAndLeavesNoOutput() throws Exception {
    Path g = group(10);
    try (VecGroup writer = VecGroup.open(g, Fixtures.OPTIONS)) {
      writer.longVec("time").add(7);
      assertThatThrownBy(
              () -> VecExport.toParquet(g, dir.resolve("out.parquet"), ExportOptions.defaults()))
          .isInstanceOf(io.mmapvec.VecLockedException.class);
    }
    assertOnlyTheGroupIsLeft();
  }

  private static long export(Path g, Path out, ExportOptions options) throws Exception {
    return out.toString().endsWith(".arrow")
        ? VecExport.toArrow(g, out, options)
        : VecExport.toParquet(g, out, options);
  }

  private void assertOnlyTheGroupIsLeft() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ticks");
    }
  }
}
