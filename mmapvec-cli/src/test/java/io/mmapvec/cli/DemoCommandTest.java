package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecFiles;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoCommandTest {
  @TempDir Path tmp;

  private static String text(List<String> lines) {
    return String.join("\n", lines);
  }

  @Test
  void demoAppendsCrashesAChildAndShowsWhatSurvived() throws IOException {
    Path d = tmp.resolve("demo");
    Run r = Run.of("demo", d.toString(), "--count", "30000");
    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).as(text(r.out())).isEqualTo(Main.OK);
    String out = text(r.out());
    Path ticks = d.toAbsolutePath().resolve("ticks.vec");
    Path crash = d.toAbsolutePath().resolve("crash.vec");
    assertThat(r.out().get(0)).startsWith("mmapvec demo in " + d.toAbsolutePath() + ", ");
    assertThat(out)
        .contains("1. Append 30,000 ticks")
        .containsPattern("appended 30,000 ticks in \\d+\\.\\d\\d s: [\\d.]+ M ticks/s")
        .contains("2. Crash: a child JVM appends ticks to crash.vec");
    Matcher child = Pattern.compile("child writer started: pid (\\d+)").matcher(out);
    assertThat(child.find()).isTrue();
    String pid = child.group(1);
    assertThat(out)
        .contains("refused: cannot lock for writing: process " + pid)
        .contains("killed with SIGKILL (exit code 137)");
    Matcher survived =
        Pattern.compile(
                "reopened in [\\d.]+ ms: ([\\d,]+) ticks, every one of them correct"
                    + " \\(checked in \\d+ ms\\): all ([\\d,]+) synced ticks survived")
            .matcher(out);
    assertThat(survived.find()).as(out).isTrue();
    long reopened = Long.parseLong(survived.group(1).replace(",", ""));
    long synced = Long.parseLong(survived.group(2).replace(",", ""));
    assertThat(synced)
        .isGreaterThanOrEqualTo(
            (long) DemoCommand.CHILD_SYNC_EVERY * DemoCommand.CHILD_SYNCS_BEFORE_KILL);
    assertThat(reopened).isGreaterThanOrEqualTo(synced);
    assertThat(out)
        .contains("3. mmapvec info " + ticks)
        .contains("length          30,000 elements (committed)")
        .contains("lock            free");

    // Checked again here, independently of what the demo printed.
    try (StructVec<DemoCommand.Tick> v =
        StructVec.open(ticks, DemoCommand.Tick.class, DemoCommand.OPTIONS.withReadOnly(true))) {
      assertThat(v.size()).isEqualTo(30_000);
      assertThat(v.get(29_999)).isEqualTo(DemoCommand.tick(29_999));
    }
    assertThat(VecFiles.describe(crash).size()).isEqualTo(reopened);
  }

  @Test
  void demoRerunsCleanlyOverItsOwnFiles() {
    Path d = tmp.resolve("again");
    assertThat(Run.of("demo", d.toString(), "-n", "10").exitCode()).isEqualTo(Main.OK);
    Run second = Run.of("demo", d.toString(), "-n", "20");
    assertThat(second.exitCode()).as(text(second.err())).isEqualTo(Main.OK);
    assertThat(second.out().get(0)).contains("(replacing the previous run's files)");
    assertThat(text(second.out())).contains("length          20 elements (committed)");
  }

  @Test
  void demoRefusesAnotherApplicationsVectorAndLeavesItUntouched() throws IOException {
    Path f = tmp.resolve("ticks.vec");
    try (LongVec v = LongVec.open(f, VecOptions.defaults().withMagic("OTHERAPP"))) {
      v.add(7);
    }
    byte[] before = Files.readAllBytes(f);
    Run r = Run.of("demo", tmp.toString(), "-n", "10");
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith(
            "mmapvec: " + f.toAbsolutePath() + " is not a demo file (its magic is OTHERAPP)");
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 100_000})
  void demoRefusesAGarbageFileAndLeavesItUntouched(int length) throws IOException {
    Path f = tmp.resolve("crash.vec");
    byte[] junk = new byte[length];
    java.util.Arrays.fill(junk, (byte) 'x');
    Files.write(f, junk);
    Run r = Run.of("demo", tmp.toString(), "-n", "10");
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err())
        .singleElement()
        .asString()
        .contains("is not a demo file")
        .contains("leaving it alone");
    assertThat(Files.readAllBytes(f)).isEqualTo(junk);
  }

  @Test
  void demoReportsADirArgumentThatIsAFile() throws IOException {
    Path f = Files.writeString(tmp.resolve("plain"), "x");
    Run r = Run.of("demo", f.toString(), "-n", "10");
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err())
        .singleElement()
        .asString()
        .isEqualTo("mmapvec: " + f.toAbsolutePath() + " is not a directory");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "many"})
  void demoRejectsABadCount(String count) {
    Run r = Run.of("demo", tmp.toString(), "--count", count);
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.err()).singleElement().asString().startsWith("mmapvec: ");
  }

  @Test
  void benchQuickPrintsRatiosForEveryOperation() throws IOException {
    Run r = Run.of("bench", "--quick", "--dir", tmp.toString());
    assertThat(r.exitCode()).as(text(r.err())).isEqualTo(Main.OK);
    for (String op : List.of("append", "random get", "random set", "scan")) {
      assertThat(r.out()).anyMatch(l -> l.matches(op + " +[\\d.]+ ms +[\\d.]+ ms +[\\d.]+x"));
    }
    try (var files = Files.list(tmp)) {
      assertThat(files).isEmpty();
    }
  }
}
