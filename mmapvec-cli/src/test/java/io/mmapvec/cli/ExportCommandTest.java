package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.ColumnarVec;
import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecGroup;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} and {@code import} in-process: every exit code, output lines, files left. */
class ExportCommandTest {
  @TempDir Path dir;

  record Tick(long time, double price, int qty) {}

  private Path ticks(int n) throws IOException {
    Path f = dir.resolve("ticks.vec");
    try (StructVec<Tick> v =
        StructVec.open(f, Tick.class, VecOptions.defaults().withMagic("TICKDATA"))) {
      for (int i = 0; i < n; i++) {
        v.add(new Tick(1_000L * i, 100 + i / 8.0, i % 50));
      }
    }
    return f;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void exportsToParquetAndArrowAndImportsBackTheSameRecords() throws Exception {
    Path vec = ticks(5_000);
    Run parquet = Run.of("export", vec.toString(), dir.resolve("t.parquet").toString(), "-q");
    assertThat(parquet.exitCode()).as(parquet.err().toString()).isZero();
    assertThat(parquet.out())
        .singleElement()
        .asString()
        .contains("t.parquet: 5,000 rows, parquet (zstd)");

    Run arrow =
        Run.of(
            "export", vec.toString(), dir.resolve("t.arrow").toString(), "--columns", "price,time");
    assertThat(arrow.exitCode()).as(arrow.err().toString()).isZero();
    assertThat(arrow.out()).singleElement().asString().contains("t.arrow: 5,000 rows, arrow");

    Run snappy =
        Run.of("export", vec.toString(), dir.resolve("s.pq").toString(), "--compression", "snappy");
    assertThat(snappy.exitCode()).as(snappy.err().toString()).isZero();

    Run back =
        Run.of("import", dir.resolve("t.parquet").toString(), dir.resolve("back.vec").toString());
    assertThat(back.exitCode()).as(back.err().toString()).isZero();
    assertThat(back.out())
        .singleElement()
        .asString()
        .contains("5,000 record elements (3 fields), magic TICKDATA");
    try (StructVec<Tick> a =
            StructVec.open(
                vec, Tick.class, VecOptions.defaults().withMagic("TICKDATA").withReadOnly(true));
        StructVec<Tick> b =
            StructVec.open(
                dir.resolve("back.vec"),
                Tick.class,
                VecOptions.defaults().withMagic("TICKDATA").withReadOnly(true))) {
      assertThat(b.asSegment().mismatch(a.asSegment())).isEqualTo(-1);
    }
    assertThat(files()).containsExactly("back.vec", "s.pq", "t.arrow", "t.parquet", "ticks.vec");
  }

  record Row(long time, double price, char side, boolean ok) {}

  @Test
  void importsAColumnarVecExportBackAsAGroup() throws Exception {
    Path g = dir.resolve("rows");
    try (ColumnarVec<Row> v =
        ColumnarVec.open(g, Row.class, VecOptions.defaults().withMagic("ROWSDATA"))) {
      for (int i = 0; i < 3_000; i++) {
        v.add(new Row(i * 10L, i / 4.0, (char) ('a' + i % 26), i % 3 == 0));
      }
    }
    Run export = Run.of("export", g.toString(), dir.resolve("rows.parquet").toString(), "-q");
    assertThat(export.exitCode()).as(export.err().toString()).isZero();
    Run back =
        Run.of(
            "import",
            dir.resolve("rows.parquet").toString(),
            dir.resolve("back").toString(),
            "--group",
            "-q");
    assertThat(back.exitCode()).as(back.err().toString()).isZero();
    assertThat(back.out())
        .singleElement()
        .asString()
        .contains("back: group of 4 columns, 3,000 rows, magic ROWSDATA");
    VecOptions read = VecOptions.defaults().withMagic("ROWSDATA").withReadOnly(true);
    try (ColumnarVec<Row> a = ColumnarVec.open(g, Row.class, read);
        ColumnarVec<Row> b = ColumnarVec.open(dir.resolve("back"), Row.class, read)) {
      assertThat(b.toList()).isEqualTo(a.toList());
    }
    Run again =
        Run.of(
            "import",
            dir.resolve("rows.parquet").toString(),
            dir.resolve("back").toString(),
            "--group");
    assertThat(again.exitCode()).isEqualTo(Main.FAILED);
    assertThat(again.err()).singleElement().asString().contains("back");
    assertThat(files()).containsExactly("back", "rows", "rows.parquet");
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    Path vec = ticks(10);
    Run noFormat = Run.of("export", vec.toString(), dir.resolve("t.csv").toString());
    assertThat(noFormat.exitCode()).isEqualTo(Main.USAGE);
    assertThat(noFormat.err()).singleElement().asString().contains("cannot tell the format of");
    Run badCodec =
        Run.of(
            "export", vec.toString(), dir.resolve("t.parquet").toString(), "--compression", "lz4");
    assertThat(badCodec.exitCode()).isEqualTo(Main.USAGE);
    Run missing = Run.of("import", dir.resolve("x.parquet").toString());
    assertThat(missing.exitCode()).isEqualTo(Main.USAGE);
    assertThat(files()).containsExactly("ticks.vec");
  }

  @Test
  void failuresExitOneWithOneLineNamingTheFile() throws Exception {
    Path vec = ticks(10);
    Run noFile =
        Run.of("export", dir.resolve("nope.vec").toString(), dir.resolve("t.parquet").toString());
    assertThat(noFile.exitCode()).isEqualTo(Main.FAILED);
    assertThat(noFile.err()).singleElement().asString().contains("nope.vec");

    Run noColumn =
        Run.of("export", vec.toString(), dir.resolve("t.parquet").toString(), "--columns", "nope");
    assertThat(noColumn.exitCode()).isEqualTo(Main.FAILED);
    assertThat(noColumn.err()).singleElement().asString().contains("has no column 'nope'");

    Run noDir = Run.of("export", vec.toString(), dir.resolve("no/dir/t.arrow").toString());
    assertThat(noDir.exitCode()).isEqualTo(Main.FAILED);
    assertThat(noDir.err()).singleElement().asString().contains("does not exist");

    Path notParquet = Files.writeString(dir.resolve("junk.parquet"), "junk, not parquet");
    Run junk = Run.of("import", notParquet.toString(), dir.resolve("o.vec").toString());
    assertThat(junk.exitCode()).isEqualTo(Main.FAILED);
    assertThat(junk.err())
        .singleElement()
        .asString()
        .contains("junk.parquet is not a Parquet file");

    Run taken = Run.of("import", notParquet.toString(), vec.toString());
    assertThat(taken.exitCode()).isEqualTo(Main.FAILED);
    assertThat(taken.err()).singleElement().asString().contains("ticks.vec");
    assertThat(files()).containsExactly("junk.parquet", "ticks.vec");
  }

  @Test
  void aFileHeldByAWriterIsExportedAtItsLastCommitAndAHeldGroupExitsThree() throws Exception {
    Path vec = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(vec)) {
      v.add(42);
      v.sync();
      v.add(43); // not committed: not exported
      Run held = Run.of("export", vec.toString(), dir.resolve("t.parquet").toString(), "-q");
      assertThat(held.exitCode()).as(held.err().toString()).isZero();
      assertThat(held.out()).singleElement().asString().contains("t.parquet: 1 rows");
    }
    Path g = dir.resolve("g");
    try (VecGroup group = VecGroup.open(g)) {
      group.longVec("time").add(1);
      group.sync();
      Run held = Run.of("export", g.toString(), dir.resolve("g.parquet").toString());
      assertThat(held.exitCode()).isEqualTo(Main.LOCKED);
      assertThat(held.err()).singleElement().asString().contains("g");
    }
    assertThat(files()).containsExactly("g", "longs.vec", "t.parquet");
  }
}
