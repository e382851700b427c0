package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vector file that a writer in another process holds is exported at its last durable commit, read
 * as a live reader; a commit that rewrites exported elements during the export makes it start
 * again, and after three such exports it is refused, leaving nothing.
 */
class LiveExportTest {
  private static final int COMMITTED = 30_000;
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

  /** The child writer: its process, its input (commands) and its output (replies). */
  private record Child(Process process, PrintWriter commands, BufferedReader replies)
      implements AutoCloseable {
    static Child start(Path file, int committed, int uncommitted) throws Exception {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Process p =
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  LiveWriter.class.getName(),
                  file.toString(),
                  Integer.toString(committed),
                  Integer.toString(uncommitted))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      Child c =
          new Child(
              p,
              new PrintWriter(
                  new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), true),
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      assertThat(c.replies.readLine()).isEqualTo("READY");
      return c;
    }

    /** Has the writer commit a rewrite of element 0, and waits until it did. */
    void rewrite() {
      commands.println("rewrite");
      try {
        assertThat(replies.readLine()).isEqualTo("DONE");
      } catch (java.io.IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws Exception {
      commands.close();
      try {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        process.destroyForcibly();
      }
    }
  }

  private List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<Object> summary(Path parquet) throws Exception {
    return duck.row(
        "SELECT count(*), sum(value)::VARCHAR, min(value), max(value) FROM read_parquet("
            + DuckDb.literal(parquet)
            + ")");
  }

  @Test
  void aFileHeldByAWriterIsExportedAtItsLastCommit() throws Exception {
    Path vec = dir.resolve("live.vec");
    try (Child writer = Child.start(vec, COMMITTED, 5_000)) {
      Path parquet = dir.resolve("live.parquet");
      long rows = VecExport.toParquet(vec, parquet, ExportOptions.defaults());
      // The 5,000 appended values are not committed: not exported.
      assertThat(rows).isEqualTo(COMMITTED);
      long n = COMMITTED;
      assertThat(summary(parquet))
          .containsExactly(n, Long.toString(3 * n * (n - 1) / 2), 0L, 3 * (n - 1));
      Path arrow = dir.resolve("live.arrow");
      assertThat(VecExport.toArrow(vec, arrow, ExportOptions.defaults())).isEqualTo(COMMITTED);
      assertThat(Files.size(arrow)).isGreaterThan(8L * COMMITTED);
    }
    assertThat(files()).containsExactly("live.arrow", "live.parquet", "live.vec");
  }

  @Test
  void aRewriteDuringTheExportMakesItStartAgainWithTheNewValues() throws Exception {
    Path vec = dir.resolve("live.vec");
    try (Child writer = Child.start(vec, COMMITTED, 0)) {
      Path parquet = dir.resolve("live.parquet");
      boolean[] rewritten = {false};
      VecExport.toParquet(
          vec,
          parquet,
          ExportOptions.defaults()
              .withProgress(
                  b -> {
                    if (!rewritten[0]) {
                      rewritten[0] = true;
                      writer.rewrite(); // element 0 becomes 1, committed, during the first try
                    }
                  }));
      assertThat(duck.row("SELECT min(value) FROM read_parquet(" + DuckDb.literal(parquet) + ")"))
          .containsExactly(1L);
    }
    assertThat(files()).containsExactly("live.parquet", "live.vec");
  }

  @Test
  void rewritesDuringEveryTryAreRefusedAndLeaveNothing() throws Exception {
    Path vec = dir.resolve("live.vec");
    try (Child writer = Child.start(vec, COMMITTED, 0)) {
      int[] rewrites = {0};
      Throwable t =
          catchThrowable(
              () ->
                  VecExport.toParquet(
                      vec,
                      dir.resolve("live.parquet"),
                      ExportOptions.defaults()
                          .withProgress(
                              b -> {
                                // Progress comes at least once per try, before the try's end.
                                rewrites[0]++;
                                writer.rewrite();
                              })));
      assertThat(t)
          .isInstanceOf(ExportException.class)
          .hasMessageContaining("live.vec")
          .hasMessageContaining("rewritten in place by its writer");
      assertThat(rewrites[0]).isGreaterThanOrEqualTo(3);
    }
    assertThat(files()).containsExactly("live.vec");
  }
}
