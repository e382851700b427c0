package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.StructVec;
import io.mmapvec.VecOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Python block for Polars and DuckDB ("Export" section), run exactly as it stands on
 * files this test exports, with its printed numbers checked against the vector. Needs python3 with
 * polars and duckdb ({@code .ci/run} installs them where it can); skipped with the reason printed
 * otherwise.
 */
class ReadmeSnippetsTest {
  private static final String MARKER = "<!-- ReadmeSnippetsTest runs the next python block -->";
  private static final int ROWS = 5_000;

  /** The README's record: the demo's ticks. */
  public record Tick(long time, double price, int qty) {}

  @TempDir Path dir;

  /** {@return the python block after the marker in the project's README} */
  static String readmeBlock() throws Exception {
    // Surefire runs in the module directory; the README is the project's.
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int marker = readme.indexOf(MARKER);
    assertThat(marker).as("README has the marker " + MARKER).isNotNegative();
    int open = readme.indexOf("```python\n", marker);
    int close = readme.indexOf("\n```", open + 1);
    assertThat(open).as("a python block after the marker").isPositive();
    assertThat(readme.substring(marker + MARKER.length(), open).strip())
        .as("nothing between the marker and the block")
        .isEmpty();
    return readme.substring(open + "```python\n".length(), close + 1);
  }

  @Test
  void polarsAndDuckDbReadTheExportsAsTheReadmeShows() throws Exception {
    String block = readmeBlock();
    String missing = pythonMissing();
    if (missing != null) {
      System.out.println(
          "ReadmeSnippetsTest.polarsAndDuckDbReadTheExportsAsTheReadmeShows skipped: " + missing);
      assumeTrue(false, missing);
    }
    Path vec = dir.resolve("ticks.vec");
    long qtySum = 0;
    double priceMax = Double.NEGATIVE_INFINITY;
    try (StructVec<Tick> v = StructVec.open(vec, Tick.class, VecOptions.defaults())) {
      for (int i = 0; i < ROWS; i++) {
        Tick t = new Tick(1_700_000_000_000L + i, 100 + (i * 37 % ROWS) / 8.0, i % 50 + 1);
        v.add(t);
        qtySum += t.qty();
        priceMax = Math.max(priceMax, t.price());
      }
    }
    VecExport.toParquet(
        vec, dir.resolve("ticks.parquet"), ExportOptions.defaults().withRowGroupRows(1_000));
    VecExport.toArrow(
        vec, dir.resolve("ticks.arrow"), ExportOptions.defaults().withRowGroupRows(1_000));

    Process p =
        new ProcessBuilder("python3", "-c", block)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out;
    try {
      assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("python3 finished").isTrue();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    // Python prints a float as the shortest string that reads back the same, as Java does.
    String numbers = ROWS + " " + qtySum + " " + priceMax;
    assertThat(lines).as(out).hasSizeGreaterThan(3);
    assertThat(lines.get(0)).as("Polars, Parquet").isEqualTo(numbers);
    assertThat(lines.get(1)).as("Polars, Arrow IPC").isEqualTo(numbers);
    assertThat(out).as("DuckDB").contains("(" + ROWS + ", " + qtySum + ", " + priceMax + ")");
    assertThat(out)
        .as("DuckDB sees the types and the metadata")
        .containsPattern("time +│ BIGINT")
        .containsPattern("qty +│ INTEGER")
        .contains("mmapvec.elementType")
        .contains("struct");
  }

  /** {@return null if python3 can import polars and duckdb, else why not} */
  private static String pythonMissing() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import polars, duckdb")
              .redirectErrorStream(true)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "python3 -c 'import polars, duckdb' did not finish in 60 s";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      List<String> lines = out.lines().toList();
      return p.exitValue() == 0
          ? null
          : "python3 lacks polars or duckdb ("
              + (lines.isEmpty() ? "exit " + p.exitValue() : lines.getLast())
              + ")";
    } catch (java.io.IOException e) {
      return "no python3 on PATH (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
