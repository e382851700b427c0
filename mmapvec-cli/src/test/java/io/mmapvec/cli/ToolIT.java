package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code bin/mmapvec} as a user runs it, on the jar this build packaged (Failsafe runs
 * this after {@code package}, so the script finds the jar up to date and builds nothing).
 */
class ToolIT {
  private static final Path SCRIPT = Path.of("..", "bin", "mmapvec").toAbsolutePath().normalize();

  @TempDir Path tmp;

  /** A run of the script: exit code, stdout, stderr. */
  record Result(int exitCode, String out, String err) {}

  private Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p =
        new ProcessBuilder(command)
            .directory(tmp.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("bin/mmapvec " + String.join(" ", args) + " did not finish");
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void theReadmesFirstCommandRunsTheDemoInTheCurrentDirectory() throws Exception {
    assertThat(SCRIPT).isExecutable();
    Result r = run("demo", "--count", "50000");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    Path dir = tmp.resolve("mmapvec-demo").toRealPath();
    assertThat(r.out())
        .startsWith("mmapvec demo in " + dir + ", ")
        .contains("appended 50,000 ticks")
        .contains("refused: cannot lock for writing: process ")
        .contains("killed with SIGKILL (exit code 137)")
        .containsPattern("all [\\d,]+ synced ticks survived")
        .contains("3. mmapvec info " + dir.resolve("ticks.vec"))
        .contains("lock            free");
    assertThat(dir.resolve("ticks.vec")).isRegularFile();
    assertThat(dir.resolve("crash.vec")).isRegularFile();

    Result again = run("demo", "--count", "1000");
    assertThat(again.exitCode()).as(again.err()).isZero();

    Result info = run("info", "--json", "mmapvec-demo/ticks.vec");
    assertThat(info.exitCode()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("\"length\" : 1000")
        .contains("\"elementSize\" : 24")
        .contains("\"magic\" : \"MVDEMO02\"")
        .contains("\"name\" : \"price\"");

    Result missing = run("info", "nothing-here.vec");
    assertThat(missing.exitCode()).isEqualTo(Main.FAILED);
    assertThat(missing.err()).isEqualTo("mmapvec: no such file or directory (nothing-here.vec)\n");
  }
}
