package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.Vec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every element type and a record of every component type, exported to Parquet and read back by
 * DuckDB: count, sum, min, max, first and last of each column must equal what the vector holds
 * (computed through the core's typed API), the column types and the mmapvec metadata must be as
 * documented, and importing the file back must give identical element bytes.
 */
class ParquetRoundTripTest {
  private static final int GROUP_ROWS = 2_500;

  /** Shared with {@link GroupExportTest}, which starts and stops it the same way. */
  static DuckDb duck;

  @TempDir Path dir;

  @BeforeAll
  static void startDuckDb() throws Exception {
    duck = new DuckDb();
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    duck.close();
  }

  static Stream<Arguments> kindsAndSizes() {
    List<Arguments> all = new ArrayList<>();
    int[] sizes = {0, 1, 10_001};
    Compression[] compressions = Compression.values();
    for (Fixtures.Kind kind : Fixtures.Kind.values()) {
      for (int k = 0; k < sizes.length; k++) {
        all.add(Arguments.of(kind, sizes[k], compressions[(kind.ordinal() + k) % 3]));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} x {1}, {2}")
  @MethodSource("kindsAndSizes")
  void duckDbReadsWhatTheVectorHolds(Fixtures.Kind kind, int size, Compression compression)
      throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), kind, size);
    Path parquet = dir.resolve("out.parquet");
    List<Long> progress = new ArrayList<>();
    VecExport.toParquet(
        vec,
        parquet,
        ExportOptions.defaults()
            .withCompression(compression)
            .withRowGroupRows(GROUP_ROWS)
            .withProgress(progress::add));

    List<ColumnValues> expected;
    long elementBytes;
    try (Vec v = Fixtures.openReadOnly(vec, kind)) {
      expected = ColumnValues.of(v);
      elementBytes = v.size() * v.elementSize();
    }
    String file = DuckDb.literal(parquet);
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected) {
      checkColumn(soft, file, c);
    }

    // Types, as documented.
    Map<String, String> types = new TreeMap<>();
    for (List<Object> row : duck.rows("DESCRIBE SELECT * FROM read_parquet(" + file + ")")) {
      types.put((String) row.get(0), (String) row.get(1));
    }
    Map<String, String> expectedTypes = new TreeMap<>();
    for (ColumnValues c : expected) {
      expectedTypes.put(c.name(), duckType(c.type()));
    }
    soft.assertThat(types).as("column types").isEqualTo(expectedTypes);

    // Row groups and compression.
    if (size > 1) {
      List<Object> meta =
          duck.row(
              "SELECT count(DISTINCT row_group_id), min(compression), max(compression)"
                  + " FROM parquet_metadata("
                  + file
                  + ")");
      soft.assertThat(((Number) meta.get(0)).longValue())
          .as("row groups")
          .isEqualTo((size + GROUP_ROWS - 1) / GROUP_ROWS);
      String codec = compression == Compression.NONE ? "UNCOMPRESSED" : compression.name();
      soft.assertThat(meta.subList(1, 3)).as("compression").containsOnly(codec);
    }

    // The source's identity in the key-value metadata.
    Map<String, String> kv = new TreeMap<>();
    for (List<Object> row :
        duck.rows("SELECT key::VARCHAR, value::VARCHAR FROM parquet_kv_metadata(" + file + ")")) {
      kv.put((String) row.get(0), (String) row.get(1));
    }
    soft.assertThat(kv)
        .containsEntry("mmapvec.magic", "EXPORTTS")
        .containsEntry("mmapvec.dataVersion", "3.1.4")
        .containsEntry(
            "mmapvec.elementType",
            kind == Fixtures.Kind.RECORD
                ? "struct"
                : kind.name().toLowerCase(java.util.Locale.ROOT));

    soft.assertThat(progress).as("progress").isNotEmpty().isSorted();
    soft.assertThat(progress.getLast()).as("last progress").isEqualTo(elementBytes);
    soft.assertAll();

    // Import back: identical element bytes, same identity and layout.
    Path back = dir.resolve("back.vec");
    VecExport.fromParquet(parquet, back, bytes -> {});
    assertSameElements(vec, back, kind);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file is left")
          .containsExactlyInAnyOrder("in.vec", "out.parquet", "back.vec");
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void selectedColumnsAreWrittenInTheGivenOrder(Compression compression) throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.RECORD, 3_000);
    Path parquet = dir.resolve("out.parquet");
    VecExport.toParquet(
        vec,
        parquet,
        ExportOptions.defaults().withCompression(compression).withColumns(List.of("d", "b")));
    List<ColumnValues> expected;
    try (Vec v = Fixtures.openReadOnly(vec, Fixtures.Kind.RECORD)) {
      expected = ColumnValues.of(v);
    }
    List<String> names = new ArrayList<>();
    for (List<Object> row :
        duck.rows("DESCRIBE SELECT * FROM read_parquet(" + DuckDb.literal(parquet) + ")")) {
      names.add((String) row.get(0));
    }
    assertThat(names).containsExactly("d", "b");
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected) {
      if (names.contains(c.name())) {
        checkColumn(soft, DuckDb.literal(parquet), c);
      }
    }
    soft.assertAll();
  }

  @ParameterizedTest
  @EnumSource(
      value = Fixtures.Kind.class,
      names = {"SHORT", "LONG", "DOUBLE", "RECORD"})
  void aFileOfTheOtherByteOrderExportsTheSameValues(Fixtures.Kind kind) throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), kind, 5_000);
    java.nio.ByteOrder other =
        java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
            ? java.nio.ByteOrder.BIG_ENDIAN
            : java.nio.ByteOrder.LITTLE_ENDIAN;
    Path swapped = dir.resolve("swapped.vec");
    VecFiles.convert(vec, swapped, other, b -> {});
    assertThat(VecFiles.describe(swapped).byteOrder()).isEqualTo(other);
    Path parquet = dir.resolve("out.parquet");
    VecExport.toParquet(swapped, parquet, ExportOptions.defaults());
    List<ColumnValues> expected;
    try (Vec v = Fixtures.openReadOnly(vec, kind)) {
      expected = ColumnValues.of(v);
    }
    SoftAssertions soft = new SoftAssertions();
    for (ColumnValues c : expected) {
      checkColumn(soft, DuckDb.literal(parquet), c);
    }
    soft.assertAll();
    // Imported back on this machine: the original's bytes, in this machine's order.
    Path back = dir.resolve("back.vec");
    VecExport.fromParquet(parquet, back, b -> {});
    assertSameElements(vec, back, kind);
  }

  static void assertSameElements(Path original, Path imported, Fixtures.Kind kind)
      throws Exception {
    VecDescription a = VecFiles.describe(original);
    VecDescription b = VecFiles.describe(imported);
    assertThat(b.magic()).isEqualTo(a.magic());
    assertThat(b.dataVersion()).isEqualTo(a.dataVersion());
    assertThat(b.elementType()).isEqualTo(a.elementType());
    assertThat(b.fields()).isEqualTo(a.fields());
    assertThat(b.size()).isEqualTo(a.size());
    try (Vec x = Fixtures.openReadOnly(original, kind);
        Vec y = Fixtures.openReadOnly(imported, kind)) {
      assertThat(y.asSegment().mismatch(x.asSegment())).as("first differing byte").isEqualTo(-1);
    }
  }

  private static String duckType(ColumnType t) {
    return switch (t) {
      case BYTE -> "TINYINT";
      case SHORT -> "SMALLINT";
      case CHAR -> "USMALLINT";
      case INT -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case BOOLEAN -> "BOOLEAN";
    };
  }

  /** DuckDB's count, sum, min, max, first and last of column {@code c} against the vector's. */
  static void checkColumn(SoftAssertions soft, String file, ColumnValues c) throws Exception {
    String q = "\"" + c.name() + "\"";
    String sum =
        switch (c.type()) {
          case BOOLEAN -> "sum(" + q + "::INTEGER)::VARCHAR";
          case FLOAT, DOUBLE -> "sum(" + q + "::DOUBLE)";
          default -> "sum(" + q + ")::VARCHAR";
        };
    String from = " FROM read_parquet(" + file + ", file_row_number = true)";
    List<Object> r =
        new ArrayList<>(
            duck.row("SELECT count(*), " + sum + ", min(" + q + "), max(" + q + ")" + from));
    // First and last by row number in the file. (arg_min over a FLOAT column turns -0.0 into 0.0
    // in DuckDB 1.x, a plain select does not.)
    for (long row : new long[] {0, c.size() - 1L}) {
      List<List<Object>> rows = duck.rows("SELECT " + q + from + " WHERE file_row_number = " + row);
      r.add(rows.isEmpty() ? null : rows.getFirst().getFirst());
    }
    String what = "column " + c.name() + " (" + c.type() + ")";
    int n = c.size();
    soft.assertThat(((Number) r.get(0)).longValue()).as(what + " count").isEqualTo(n);
    if (n == 0) {
      soft.assertThat(r.subList(1, 6)).as(what + " aggregates of nothing").containsOnlyNulls();
      return;
    }
    if (c.floating()) {
      double[] v = c.reals();
      double sumExpected = 0;
      double min = Double.NaN;
      double max = Double.NEGATIVE_INFINITY;
      boolean anyNaN = false;
      for (double x : v) {
        sumExpected += x;
        if (Double.isNaN(x)) {
          anyNaN = true;
        } else {
          min = Double.isNaN(min) || x < min ? x : min;
          max = Math.max(max, x);
        }
      }
      if (anyNaN) {
        max = Double.NaN; // DuckDB orders NaN above every number
      }
      double sumActual = ((Number) r.get(1)).doubleValue();
      soft.assertThat(sameOrClose(sumActual, sumExpected))
          .as(what + " sum " + sumActual + ", expected " + sumExpected)
          .isTrue();
      soft.assertThat(sameNumber(number(r.get(2)), min))
          .as(what + " min " + r.get(2) + " vs " + min)
          .isTrue();
      soft.assertThat(sameNumber(number(r.get(3)), max))
          .as(what + " max " + r.get(3) + " vs " + max)
          .isTrue();
      // First and last to the bit (so -0.0 stays -0.0); NaN compared as NaN.
      soft.assertThat(Double.doubleToLongBits(number(r.get(4))))
          .as(what + " first")
          .isEqualTo(Double.doubleToLongBits(v[0]));
      soft.assertThat(Double.doubleToLongBits(number(r.get(5))))
          .as(what + " last")
          .isEqualTo(Double.doubleToLongBits(v[n - 1]));
    } else {
      long[] v = c.ints();
      BigInteger sumExpected = BigInteger.ZERO;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (long x : v) {
        sumExpected = sumExpected.add(BigInteger.valueOf(x));
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      soft.assertThat(new BigInteger((String) r.get(1))).as(what + " sum").isEqualTo(sumExpected);
      soft.assertThat(integer(r.get(2))).as(what + " min").isEqualTo(min);
      soft.assertThat(integer(r.get(3))).as(what + " max").isEqualTo(max);
      soft.assertThat(integer(r.get(4))).as(what + " first").isEqualTo(v[0]);
      soft.assertThat(integer(r.get(5))).as(what + " last").isEqualTo(v[n - 1]);
    }
  }

  private static double number(Object o) {
    return ((Number) o).doubleValue();
  }

  private static long integer(Object o) {
    if (o instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (o instanceof BigDecimal || o instanceof BigInteger) {
      return new BigDecimal(o.toString()).longValueExact();
    }
    return ((Number) o).longValue();
  }

  /** Both NaN, or numerically equal (so -0.0 equals 0.0, as in SQL). */
  private static boolean sameNumber(double a, double b) {
    return Double.isNaN(a) ? Double.isNaN(b) : a == b;
  }

  /** Sums may be added in another order: equal, both NaN, or within 1e-12 relative. */
  private static boolean sameOrClose(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.compare(a, b) == 0;
    }
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
}
