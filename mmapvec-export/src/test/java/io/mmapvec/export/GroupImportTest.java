package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mmapvec.ColumnarVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecGroup;
import io.mmapvec.VecReader;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Importing a Parquet file as a column group ({@link VecExport#fromParquetToGroup}): a group
 * exported and imported again has identical element bytes in every column; every refusal names the
 * file and the problem and leaves nothing under the target name, nor a temporary directory.
 */
class GroupImportTest {
  private static DuckDb duck;

  @TempDir Path dir;

  /** A ColumnarVec's record: every primitive type, char and boolean included. */
  public record Row(byte b, short s, char c, int i, long l, float f, double d, boolean z) {}

  @BeforeAll
  static void startDuckDb() throws Exception {
    duck = new DuckDb();
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    duck.close();
  }

  private List<String> filesInDir() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Path duckParquet(String select) throws Exception {
    Path p = dir.resolve("in.parquet");
    duck.execute("COPY (" + select + ") TO " + DuckDb.literal(p) + " (FORMAT parquet)");
    return p;
  }

  /** The group's committed columns, in manifest order. */
  private static List<String> names(Path group) throws Exception {
    try (VecGroup g = VecGroup.open(group, Fixtures.OPTIONS.withReadOnly(true))) {
      return g.names();
    }
  }

  /** Each column file of {@code a} and {@code b} has the same description and element bytes. */
  private static void assertSameColumns(Path a, Path b) throws Exception {
    List<String> names = names(a);
    assertThat(names(b)).containsExactlyElementsOf(names);
    for (String name : names) {
      try (VecReader ra = VecFiles.openReader(a.resolve(name + ".vec"));
          VecReader rb = VecFiles.openReader(b.resolve(name + ".vec"))) {
        VecDescription da = ra.description();
        VecDescription db = rb.description();
        assertThat(db.elementType()).as(name).isEqualTo(da.elementType());
        assertThat(db.fields()).as(name).isEqualTo(da.fields());
        assertThat(db.magic()).as(name).isEqualTo(da.magic());
        assertThat(db.dataVersion()).as(name).isEqualTo(da.dataVersion());
        assertThat(rb.size()).as(name + " size").isEqualTo(ra.size());
        MemorySegment ea = ra.elements();
        MemorySegment eb = rb.elements();
        assertThat(eb.byteSize()).as(name + " bytes").isEqualTo(ea.byteSize());
        assertThat(eb.mismatch(ea)).as(name + ": first differing byte").isEqualTo(-1L);
      }
    }
  }

  @ParameterizedTest(name = "{0} rows")
  @ValueSource(ints = {7_777, 1, 0})
  void aColumnarVecGoesThroughParquetAndBackByteForByte(int n) throws Exception {
    Path g = dir.resolve("rows");
    SplittableRandom random = new SplittableRandom(n);
    try (ColumnarVec<Row> v = ColumnarVec.open(g, Row.class, Fixtures.OPTIONS)) {
      for (int i = 0; i < n; i++) {
        v.add(
            new Row(
                (byte) random.nextInt(),
                (short) random.nextInt(),
                (char) random.nextInt(1 << 16),
                random.nextInt(),
                i == 0 ? Long.MIN_VALUE : random.nextLong(),
                i == 0 ? Float.NaN : (float) random.nextDouble(),
                i == 0 ? -0.0 : random.nextDouble(),
                random.nextBoolean()));
      }
    }
    Path parquet = dir.resolve("rows.parquet");
    VecExport.toParquet(g, parquet, ExportOptions.defaults().withRowGroupRows(1_000));
    Path back = dir.resolve("back");
    List<Long> progress = new ArrayList<>();
    VecExport.fromParquetToGroup(parquet, back, progress::add);
    assertSameColumns(g, back);
    assertThat(progress).isSorted();
    assertThat(progress.getLast()).isEqualTo(Files.size(parquet));
    // It is a ColumnarVec's group: the same record opens it.
    try (ColumnarVec<Row> a = ColumnarVec.open(g, Row.class, Fixtures.OPTIONS.withReadOnly(true));
        ColumnarVec<Row> b =
            ColumnarVec.open(back, Row.class, Fixtures.OPTIONS.withReadOnly(true))) {
      assertThat(b.toList()).isEqualTo(a.toList());
    }
    assertThat(filesInDir()).containsExactly("back", "rows", "rows.parquet");
  }

  @Test
  void aGroupWithARecordColumnGoesThroughParquetAndBackByteForByte() throws Exception {
    Path g = dir.resolve("ticks");
    SplittableRandom random = new SplittableRandom(3);
    Path recordFile = Fixtures.create(dir.resolve("records.vec"), Fixtures.Kind.RECORD, 5_000);
    try (VecGroup group = VecGroup.open(g, Fixtures.OPTIONS);
        StructVec<Fixtures.AllTypes> records =
            StructVec.open(
                recordFile, Fixtures.AllTypes.class, Fixtures.OPTIONS.withReadOnly(true))) {
      LongVec time = group.longVec("time");
      DoubleVec price = group.doubleVec("price");
      StructVec<Fixtures.AllTypes> pos = group.structVec("pos", Fixtures.AllTypes.class);
      for (int i = 0; i < 5_000; i++) {
        time.add(random.nextLong());
        price.add(random.nextDouble());
        pos.add(records.get(i));
      }
    }
    Files.delete(recordFile);
    Path parquet = dir.resolve("ticks.parquet");
    VecExport.toParquet(g, parquet, ExportOptions.defaults().withRowGroupRows(1_200));
    Path back = dir.resolve("back");
    VecExport.fromParquetToGroup(parquet, back, b -> {});
    assertSameColumns(g, back);
    assertThat(names(back)).containsExactly("time", "price", "pos");
    assertThat(filesInDir()).containsExactly("back", "ticks", "ticks.parquet");
  }

  @Test
  void aFileFromAnotherWriterBecomesOneColumnPerColumn() throws Exception {
    Path in =
        duckParquet(
            "SELECT range AS id, (range % 7)::USMALLINT AS code, range % 2 = 0 AS even,"
                + " range / 8 AS ratio FROM range(3000)");
    Path out = dir.resolve("g");
    VecExport.fromParquetToGroup(in, out, b -> {});
    record Duck(long id, char code, boolean even, double ratio) {}
    try (ColumnarVec<Duck> v =
        ColumnarVec.open(
            out,
            Duck.class,
            io.mmapvec.VecOptions.defaults().withReadOnly(true),
            java.lang.invoke.MethodHandles.lookup())) {
      assertThat(v.size()).isEqualTo(3000);
      for (int r = 0; r < 3000; r++) {
        assertThat(v.get(r)).isEqualTo(new Duck(r, (char) (r % 7), r % 2 == 0, r / 8.0));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 1::BIGINT AS n, 'text' AS name",
        "SELECT 1::BIGINT AS n, [1, 2] AS name",
        "SELECT 1::BIGINT AS n, 7::UBIGINT AS name",
      })
  void unsupportedColumnsAreRefusedByName(String select) throws Exception {
    Path in = duckParquet(select);
    Throwable t = catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("g"), b -> {}));
    assertThat(t)
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("column 'name'")
        .hasMessageContaining("supported:");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void aNullIsRefusedNamingColumnAndRowAndLeavesNoDirectory() throws Exception {
    Path in =
        duckParquet(
            "SELECT range AS a, CASE WHEN range = 9876 THEN NULL ELSE range END AS b"
                + " FROM range(10000)");
    assertThat(catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("g"), b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("column 'b' holds a null at row 9876");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void namesAGroupCannotHoldAreRefused() throws Exception {
    Path in = duckParquet("SELECT 1::BIGINT AS \"has space\"");
    assertThat(catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("g"), b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("has space");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void aCharColumnBesideARecordColumnIsRefused() throws Exception {
    Path in = duckParquet("SELECT 1::USMALLINT AS code, 2::BIGINT AS \"pos.x\"");
    assertThat(catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("g"), b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("column 'code' is char")
        .hasMessageContaining("pos.*");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 1::BIGINT AS \"p.x\", 2::BIGINT AS q, 3::BIGINT AS \"p.y\"|not next to",
        "SELECT 1::BIGINT AS p, 2::BIGINT AS \"p.x\"|a second time",
        "SELECT 1::BIGINT AS \"p.x\", 2::BIGINT AS p|a second time",
      })
  void recordColumnsMustBeAdjacentAndUnique(String selectAndMessage) throws Exception {
    String[] parts = selectAndMessage.split("\\|");
    Path in = duckParquet(parts[0]);
    assertThat(catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("g"), b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining(parts[1]);
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void aComponentMayShareItsRecordColumnsName() throws Exception {
    Path in = duckParquet("SELECT range AS \"p.p\", range * 2 AS \"p.q\" FROM range(10)");
    Path out = dir.resolve("g");
    VecExport.fromParquetToGroup(in, out, b -> {});
    record P(long p, long q) {}
    try (VecGroup g = VecGroup.open(out, io.mmapvec.VecOptions.defaults().withReadOnly(true))) {
      assertThat(g.names()).containsExactly("p");
      StructVec<P> v = g.structVec("p", P.class, java.lang.invoke.MethodHandles.lookup());
      assertThat(v.size()).isEqualTo(10);
      assertThat(v.get(9)).isEqualTo(new P(9, 18));
    }
  }

  @Test
  void aMissingInputAMissingDirectoryAndAnExistingTargetAreRefused() throws Exception {
    Path in = duckParquet("SELECT range AS a FROM range(10)");
    assertThat(
            catchThrowable(
                () ->
                    VecExport.fromParquetToGroup(
                        dir.resolve("nope.parquet"), dir.resolve("g"), b -> {})))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.parquet");
    assertThat(
            catchThrowable(
                () -> VecExport.fromParquetToGroup(in, dir.resolve("no/such/dir/g"), b -> {})))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("does not exist");
    Files.createDirectory(dir.resolve("taken"));
    Files.writeString(dir.resolve("taken/keep.txt"), "x");
    assertThat(
            catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("taken"), b -> {})))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("taken");
    assertThat(Files.readString(dir.resolve("taken/keep.txt"))).isEqualTo("x");
    Files.writeString(dir.resolve("file"), "y");
    assertThat(catchThrowable(() -> VecExport.fromParquetToGroup(in, dir.resolve("file"), b -> {})))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(filesInDir()).containsExactly("file", "in.parquet", "taken");
  }

  @Test
  void anExceptionFromTheProgressCallbackLeavesNoDirectory() throws Exception {
    Path in = duckParquet("SELECT range AS a, range * 2 AS b FROM range(1000)");
    assertThat(
            catchThrowable(
                () ->
                    VecExport.fromParquetToGroup(
                        in,
                        dir.resolve("g"),
                        b -> {
                          throw new IllegalStateException("stop");
                        })))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("stop");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }
}
