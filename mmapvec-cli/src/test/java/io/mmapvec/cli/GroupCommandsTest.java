package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.VecGroup;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code info} and {@code export} on a column group directory, in-process. */
class GroupCommandsTest {
  private static final VecOptions OPTIONS = VecOptions.defaults().withMagic("TICKDATA");

  @TempDir Path dir;

  record Pos(int x, float y) {}

  /** A group: time (long), price (double), pos (record); {@code n} rows; committed twice. */
  private Path group(int n) throws IOException {
    Path g = dir.resolve("ticks");
    try (VecGroup group = VecGroup.open(g, OPTIONS)) {
      group.longVec("time").add(-1);
      group.doubleVec("price").add(0.5);
      group.structVec("pos", Pos.class).add(new Pos(0, 0f));
      group.sync();
      for (int i = 1; i < n; i++) {
        group.longVec("time").add(1_000L * i);
        group.doubleVec("price").add(100 + i / 8.0);
        group.structVec("pos", Pos.class).add(new Pos(i, i / 2f));
      }
    }
    return g;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void infoListsTheColumnsAndTheGroupCommit() throws Exception {
    Path g = group(1_500);
    long sequence;
    try (VecGroup group = VecGroup.open(g, OPTIONS.withReadOnly(true))) {
      sequence = group.sequence();
    }
    assertThat(sequence).isGreaterThan(1);
    Run r = Run.of("info", g.toString());
    assertThat(r.exitCode()).as(r.err().toString()).isEqualTo(Main.OK);
    String out = String.join("\n", r.out());
    assertThat(out)
        .contains("group           " + g)
        .contains("magic           TICKDATA")
        .contains("group commit    sequence " + sequence)
        .contains("columns         3")
        .contains("  time   long, 8 bytes, 1,500 elements")
        .contains("  price  double, 8 bytes, 1,500 elements")
        .contains(
            "  pos    struct, 8 bytes, 1,500 elements (the column file's commit) {int x, float y}");

    Run json = Run.of("info", "--json", g.toString());
    assertThat(json.exitCode()).as(json.err().toString()).isEqualTo(Main.OK);
    String text = String.join("\n", json.out());
    assertThat(text)
        .contains("\"magic\" : \"TICKDATA\"")
        .contains("\"sequence\" : " + sequence)
        .contains("\"columns\" : [")
        .contains("\"type\" : \"long\"")
        .contains("\"type\" : \"struct\"")
        .contains("\"length\" : 1500")
        .contains("\"lengthAtGroupCommit\" : true")
        .contains("\"lengthAtGroupCommit\" : false")
        .contains("\"fields\" : [");
    assertThat(text.indexOf("\"name\" : \"time\""))
        .isPositive()
        .isLessThan(text.indexOf("\"name\" : \"price\""));
    assertThat(text.indexOf("\"name\" : \"price\"")).isLessThan(text.indexOf("\"name\" : \"pos\""));

    Run numpy = Run.of("info", "--numpy", g.toString());
    assertThat(numpy.exitCode()).isEqualTo(Main.USAGE);
  }

  @Test
  void infoOnAGroupHeldByAWriterExitsThree() throws Exception {
    Path g = group(3);
    try (VecGroup held = VecGroup.open(g, OPTIONS)) {
      Run r = Run.of("info", g.toString());
      assertThat(r.exitCode()).isEqualTo(Main.LOCKED);
      assertThat(r.err()).singleElement().asString().contains("ticks");
    }
  }

  @Test
  void exportsAGroupDirectory() throws Exception {
    Path g = group(2_000);
    Run r = Run.of("export", g.toString(), dir.resolve("t.parquet").toString(), "-q");
    assertThat(r.exitCode()).as(r.err().toString()).isZero();
    assertThat(r.out()).singleElement().asString().contains("t.parquet: 2,000 rows, parquet");
    Run some =
        Run.of(
            "export", g.toString(), dir.resolve("t.arrow").toString(), "--columns", "pos.y,time");
    assertThat(some.exitCode()).as(some.err().toString()).isZero();
    assertThat(some.out()).singleElement().asString().contains("t.arrow: 2,000 rows, arrow");
    assertThat(files()).containsExactly("t.arrow", "t.parquet", "ticks");
  }

  @Test
  void aGroupWithAMissingColumnFileExitsOneAndWritesNothing() throws Exception {
    Path g = group(10);
    Files.delete(g.resolve("price.vec"));
    Run r = Run.of("export", g.toString(), dir.resolve("t.parquet").toString());
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err()).singleElement().asString().contains("price");
    assertThat(files()).containsExactly("ticks");
  }
}
