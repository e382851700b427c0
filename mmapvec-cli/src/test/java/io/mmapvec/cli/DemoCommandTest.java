package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoCommandTest {
  private static final String MS = "\\d+\\.\\d ms";

  @TempDir Path tmp;

  @Test
  void demoWritesAMillionLongsVerifiesThemAndReportsEachStep() throws IOException {
    Run r = Run.of("demo", tmp.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    Path file = tmp.toAbsolutePath().resolve("demo.vec");
    List<String> out = r.out();
    assertThat(out).hasSize(6);
    assertThat(out.get(0)).isEqualTo("mmapvec demo: " + file + ", native backend");
    assertThat(out.get(1))
        .matches("  appended 1,000,000 longs in " + MS + " \\(\\d+\\.\\d [Mk]/s\\)");
    Matcher sync =
        Pattern.compile(
                "  sync: "
                    + MS
                    + "    file: (\\d+\\.\\d) MiB \\(capacity ([\\d,]+), grown \\d+ times\\)")
            .matcher(out.get(2));
    assertThat(sync.matches()).as(out.get(2)).isTrue();
    assertThat(Double.parseDouble(sync.group(1))).isBetween(7.6, 16.5);
    assertThat(Long.parseLong(sync.group(2).replace(",", ""))).isGreaterThanOrEqualTo(1_000_000);
    assertThat(out.get(3))
        .matches(
            "  reopened read-only in " + MS + ": 1,000,000 elements, all values verified in " + MS);
    assertThat(out.get(4)).isEqualTo("  first 3: 0, 1, 4   last: 999,998,000,001");
    // The sum of i*i for i < 10^6 is (n-1)n(2n-1)/6.
    assertThat(out.get(5)).matches("  scan \\(sum = 333,332,833,333,500,000\\) in " + MS);

    try (LongVec v = LongVec.open(file, DemoCommand.OPTIONS.withReadOnly(true))) {
      assertThat(v.size()).isEqualTo(1_000_000);
      assertThat(v.get(123_456)).isEqualTo(123_456L * 123_456L);
    }
  }

  @Test
  void demoWithoutDirUsesANewTemporaryDirectoryAndSaysWhere() throws IOException {
    Run r = Run.of("demo", "-n", "10");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    Matcher m = Pattern.compile("mmapvec demo: (.*), native backend").matcher(r.out().get(0));
    assertThat(m.matches()).isTrue();
    Path file = Path.of(m.group(1));
    Path dir = file.getParent();
    try {
      assertThat(dir.getFileName().toString()).startsWith("mmapvec-demo-");
      assertThat(dir.getParent())
          .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
      assertThat(file).isRegularFile();
      assertThat(r.out().getLast())
          .isEqualTo("  (a new temporary directory; remove it with: rm -r " + dir + ")");
    } finally {
      deleteTree(dir);
    }
  }

  @Test
  void demoCreatesAMissingDirectoryAndSaysSo() {
    Path dir = tmp.resolve("a/b/c").toAbsolutePath();
    Run r = Run.of("demo", "-n", "1000", dir.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out().get(0))
        .isEqualTo(
            "mmapvec demo: " + dir.resolve("demo.vec") + " (created " + dir + "), native backend");
    assertThat(dir.resolve("demo.vec")).isRegularFile();
  }

  @Test
  void demoReplacesItsOwnPreviousFile() {
    assertThat(Run.of("demo", "-n", "1000", tmp.toString()).exitCode()).isEqualTo(Main.OK);
    Run again = Run.of("demo", "-n", "5", tmp.toString());
    assertThat(again.err()).isEmpty();
    assertThat(again.exitCode()).isEqualTo(Main.OK);
    assertThat(again.out().get(0))
        .endsWith("demo.vec (replaced the previous demo file), native backend");
    assertThat(again.out()).anySatisfy(l -> assertThat(l).startsWith("  appended 5 longs"));
    assertThat(again.out()).contains("  first 3: 0, 1, 4   last: 16");
  }

  @Test
  void demoRefusesAnotherApplicationsVectorAndLeavesItUntouched() throws IOException {
    Path file = tmp.resolve("demo.vec");
    try (LongVec v = LongVec.open(file, VecOptions.defaults().withMagic("OTHERAPP"))) {
      v.addAll(new long[] {1, 2, 3});
    }
    byte[] before = Files.readAllBytes(file);

    Run r = Run.of("demo", tmp.toString());

    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: " + file.toAbsolutePath() + " is not a demo file (")
        .contains("OTHERAPP")
        .contains("MVDEMO01")
        .endsWith("; leaving it alone");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void demoRefusesADemoMagicFileOfAnotherDataVersion() throws IOException {
    Path file = tmp.resolve("demo.vec");
    try (LongVec v =
        LongVec.open(file, VecOptions.defaults().withMagic("MVDEMO01").withDataVersion(2, 0, 0))) {
      v.add(42);
    }
    byte[] before = Files.readAllBytes(file);

    Run r = Run.of("demo", tmp.toString());

    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: " + file.toAbsolutePath() + " is not a demo file (");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 100, 10_000})
  void demoRefusesAGarbageFileAndLeavesItUntouched(int length) throws IOException {
    Path file = tmp.resolve("demo.vec");
    byte[] garbage = new byte[length];
    new Random(length).nextBytes(garbage);
    Files.write(file, garbage);

    Run r = Run.of("demo", tmp.toString());

    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: " + file.toAbsolutePath() + " is not a demo file (")
        .endsWith("; leaving it alone");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
  }

  @Test
  void demoRefusesADirectoryNamedDemoVec() throws IOException {
    Path file = Files.createDirectory(tmp.resolve("demo.vec"));
    Run r = Run.of("demo", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.err())
        .containsExactly(
            "mmapvec: "
                + file.toAbsolutePath()
                + " exists and is not a regular file; leaving it alone");
    assertThat(file).isDirectory();
  }

  @Test
  void demoReportsADemoFileThatIsInUse() throws IOException {
    Path file = tmp.resolve("demo.vec").toAbsolutePath();
    try (LongVec held = LongVec.open(file, DemoCommand.OPTIONS)) {
      held.add(1);
      Run r = Run.of("demo", tmp.toString());
      assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
      assertThat(r.err())
          .singleElement()
          .asString()
          .startsWith("mmapvec: " + file + " is in use: ");
      assertThat(held.size()).isEqualTo(1);
    }
  }

  @Test
  void demoReportsADirArgumentThatIsAFile() throws IOException {
    Path notDir = Files.writeString(tmp.resolve("plain.txt"), "hello");
    Run r = Run.of("demo", notDir.toString());
    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.err())
        .containsExactly("mmapvec: " + notDir.toAbsolutePath() + " is not a directory");
  }

  @Test
  void demoReportsADirectoryItCannotCreate() throws IOException {
    Path notDir = Files.writeString(tmp.resolve("plain.txt"), "hello");
    Path below = notDir.resolve("sub").toAbsolutePath();
    Run r = Run.of("demo", below.toString());
    assertThat(r.exitCode()).isEqualTo(Main.DATA_ERROR);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: cannot create directory " + below + ": ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "many"})
  void demoRejectsABadCountAsAUsageError(String count) {
    Run r = Run.of("demo", "-n", count, tmp.toString());
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: ")
        .endsWith("(see 'mmapvec demo --help')");
    assertThat(tmp.resolve("demo.vec")).doesNotExist();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
