package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecOptions;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal is a typed exception naming the file and the problem, and leaves nothing under the
 * target name (nor a temporary file beside it). Parquet files that the import must refuse or accept
 * are written by DuckDB, so they are also files that another engine made.
 */
class BadInputTest {
  private static DuckDb duck;

  @TempDir Path dir;

  @BeforeAll
  static void startDuckDb() throws Exception {
    duck = new DuckDb();
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    duck.close();
  }

  private Path duckParquet(String name, String select) throws Exception {
    Path p = dir.resolve(name);
    duck.execute("COPY (" + select + ") TO " + DuckDb.literal(p) + " (FORMAT parquet)");
    return p;
  }

  private List<String> filesInDir() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 1::BIGINT AS n, 'text' AS name",
        "SELECT 1::BIGINT AS n, TIMESTAMP '2026-01-01 00:00:00' AS name",
        "SELECT 1::BIGINT AS n, 1.5::DECIMAL(10, 2) AS name",
        "SELECT 1::BIGINT AS n, [1, 2] AS name",
        "SELECT 1::BIGINT AS n, {'a': 1} AS name",
        "SELECT 1::BIGINT AS n, 7::UTINYINT AS name",
        "SELECT 1::BIGINT AS n, 7::UBIGINT AS name",
        "SELECT 1::BIGINT AS n, DATE '2026-01-01' AS name",
      })
  void importRefusesUnsupportedColumnsNamingThem(String select) throws Exception {
    Path in = duckParquet("in.parquet", select);
    Path out = dir.resolve("out.vec");
    Throwable t = catchThrowable(() -> VecExport.fromParquet(in, out, b -> {}));
    assertThat(t)
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("column 'name'")
        .hasMessageContaining("supported:");
    assertThat(((ExportException) t).file()).isEqualTo(in);
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void importRefusesANullNamingColumnAndRow() throws Exception {
    Path in =
        duckParquet(
            "in.parquet",
            "SELECT range AS a, CASE WHEN range = 4321 THEN NULL ELSE range END AS b"
                + " FROM range(10000)");
    Path out = dir.resolve("out.vec");
    assertThat(catchThrowable(() -> VecExport.fromParquet(in, out, b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("column 'b' holds a null at row 4321");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  public record Duck(byte a, short b, char c, int d, long e, float f, double g, boolean h) {}

  @Test
  void importAcceptsNullableColumnsWithoutNullsFromAnotherWriter() throws Exception {
    // DuckDB writes every column as OPTIONAL; these hold no null.
    Path in =
        duckParquet(
            "in.parquet",
            "SELECT (range % 100)::TINYINT AS a, (range - 5000)::SMALLINT AS b,"
                + " (range * 7 % 65536)::USMALLINT AS c, (range * 3)::INTEGER AS d,"
                + " range * 1000000007 AS e, (range / 4)::FLOAT AS f, range / 3 AS g,"
                + " range % 3 = 0 AS h FROM range(20000)");
    Path out = dir.resolve("out.vec");
    VecExport.fromParquet(in, out, b -> {});
    try (StructVec<Duck> v =
        StructVec.open(out, Duck.class, VecOptions.defaults().withReadOnly(true))) {
      assertThat(v.size()).isEqualTo(20_000);
      for (int r = 0; r < 20_000; r++) {
        Duck expected =
            new Duck(
                (byte) (r % 100),
                (short) (r - 5000),
                (char) (r * 7 % 65536),
                r * 3,
                r * 1_000_000_007L,
                (float) (r / 4.0),
                r / 3.0,
                r % 3 == 0);
        assertThat(v.get(r)).as("row " + r).isEqualTo(expected);
      }
    }
  }

  @Test
  void importMakesAPrimitiveVectorOfAColumnCalledValue() throws Exception {
    Path in = duckParquet("in.parquet", "SELECT range * -3 AS value FROM range(5000)");
    Path out = dir.resolve("out.vec");
    VecExport.fromParquet(in, out, b -> {});
    try (LongVec v = LongVec.open(out, VecOptions.defaults().withReadOnly(true))) {
      assertThat(v.size()).isEqualTo(5000);
      for (int r = 0; r < 5000; r++) {
        assertThat(v.get(r)).isEqualTo(r * -3L);
      }
    }
  }

  @Test
  void importRefusesAMissingInputAMissingDirectoryAndAnExistingTarget() throws Exception {
    Path in = duckParquet("in.parquet", "SELECT range AS value FROM range(10)");
    assertThat(
            catchThrowable(
                () ->
                    VecExport.fromParquet(
                        dir.resolve("nope.parquet"), dir.resolve("o.vec"), b -> {})))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.parquet");
    assertThat(
            catchThrowable(
                () -> VecExport.fromParquet(in, dir.resolve("no/such/dir/o.vec"), b -> {})))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("does not exist");
    Files.writeString(dir.resolve("taken.vec"), "x");
    assertThat(catchThrowable(() -> VecExport.fromParquet(in, dir.resolve("taken.vec"), b -> {})))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("taken.vec");
    assertThat(Files.readString(dir.resolve("taken.vec"))).isEqualTo("x");
    assertThat(filesInDir()).containsExactly("in.parquet", "taken.vec");
  }

  @Test
  void importRefusesAFileThatIsNotParquet() throws Exception {
    Path in = Files.writeString(dir.resolve("in.parquet"), "not a parquet file at all, no");
    assertThat(catchThrowable(() -> VecExport.fromParquet(in, dir.resolve("o.vec"), b -> {})))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining(in.toString())
        .hasMessageContaining("is not a Parquet file");
    assertThat(filesInDir()).containsExactly("in.parquet");
  }

  @Test
  void exportRefusesAMissingInputAMissingDirectoryAndAnUnknownColumn() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.RECORD, 10);
    ExportOptions o = ExportOptions.defaults();
    assertThat(
            catchThrowable(
                () -> VecExport.toParquet(dir.resolve("nope.vec"), dir.resolve("o.parquet"), o)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.vec");
    assertThat(catchThrowable(() -> VecExport.toArrow(vec, dir.resolve("no/dir/o.arrow"), o)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("does not exist");
    assertThat(
            catchThrowable(
                () ->
                    VecExport.toParquet(
                        vec, dir.resolve("o.parquet"), o.withColumns(List.of("l", "zz")))))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("in.vec")
        .hasMessageContaining("no column 'zz'");
    assertThat(filesInDir()).containsExactly("in.vec");
  }

  @Test
  void exportRefusesAFileThatIsNotAVector() throws Exception {
    Path notVec = Files.write(dir.resolve("in.vec"), new byte[70_000]);
    assertThat(
            catchThrowable(
                () ->
                    VecExport.toParquet(
                        notVec, dir.resolve("o.parquet"), ExportOptions.defaults())))
        .isInstanceOf(VecFormatException.class)
        .hasMessageContaining("in.vec");
    assertThat(filesInDir()).containsExactly("in.vec");
  }

  @Test
  void aFileHeldByAWriterInThisJvmIsExportedAtItsLastCommit() throws Exception {
    // A read-only open next to a writer is a live reader (LiveExportTest: a writer elsewhere).
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 10);
    Path target = dir.resolve("o.parquet");
    try (LongVec writer = LongVec.open(vec, Fixtures.OPTIONS)) {
      writer.add(1); // not committed: not exported
      assertThat(VecExport.toParquet(vec, target, ExportOptions.defaults())).isEqualTo(10);
      assertThat(VecExport.toArrow(vec, dir.resolve("o.arrow"), ExportOptions.defaults()))
          .isEqualTo(10);
    }
    assertThat(
            duck.row("SELECT count(*) FROM read_parquet(" + DuckDb.literal(target) + ")")
                .getFirst())
        .isEqualTo(10L);
    assertThat(filesInDir()).containsExactly("in.vec", "o.arrow", "o.parquet");
  }

  @Test
  void exportRefusesToWriteOverItsOwnSource() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 10);
    byte[] before = Files.readAllBytes(vec);
    Path link = Files.createLink(dir.resolve("link.vec"), vec);
    for (Path target : List.of(vec, link)) {
      assertThat(catchThrowable(() -> VecExport.toArrow(vec, target, ExportOptions.defaults())))
          .isInstanceOf(ExportException.class)
          .hasMessageContaining("is the vector being exported");
    }
    assertThat(Files.readAllBytes(vec)).isEqualTo(before);
    assertThat(filesInDir()).containsExactly("in.vec", "link.vec");
  }

  @Test
  void exportReplacesAnExistingTargetWhole() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 100);
    Path target = Files.writeString(dir.resolve("o.parquet"), "old");
    VecExport.toParquet(vec, target, ExportOptions.defaults());
    assertThat(
            duck.row(
                    "SELECT count(*), sum(value)::VARCHAR FROM read_parquet("
                        + DuckDb.literal(target)
                        + ")")
                .getFirst())
        .isEqualTo(100L);
    assertThat(filesInDir()).containsExactly("in.vec", "o.parquet");
  }

  @Test
  void anExceptionFromTheProgressCallbackLeavesNoFile() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 200_000);
    ExportOptions failing =
        ExportOptions.defaults()
            .withRowGroupRows(50_000)
            .withProgress(
                b -> {
                  if (b > 0) {
                    throw new IllegalStateException("interrupted by the test");
                  }
                });
    for (String name : List.of("o.parquet", "o.arrow")) {
      Path target = dir.resolve(name);
      Throwable t =
          catchThrowable(
              () -> {
                if (name.endsWith(".arrow")) {
                  VecExport.toArrow(vec, target, failing);
                } else {
                  VecExport.toParquet(vec, target, failing);
                }
              });
      assertThat(t).hasMessageContaining("interrupted by the test");
    }
    assertThat(filesInDir()).containsExactly("in.vec");
  }
}
