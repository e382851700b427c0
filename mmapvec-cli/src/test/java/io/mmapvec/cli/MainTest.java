package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @Test
  void helpListsTheDemoCommandAndExitsZero() {
    Run r = Run.of("--help");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.err()).isEmpty();
    assertThat(String.join("\n", r.out()))
        .contains("Usage: mmapvec")
        .contains("demo")
        .contains("--version");
  }

  @Test
  void demoHelpDescribesDirAndExitsZero() {
    Run r = Run.of("demo", "--help");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(String.join("\n", r.out())).contains("Usage: mmapvec demo").contains("DIR");
  }

  @Test
  void helpSubcommandWorksToo() {
    Run r = Run.of("help", "demo");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(String.join("\n", r.out())).contains("Usage: mmapvec demo");
  }

  @Test
  void versionNamesTheToolVersionAndTheJvm() {
    Run r = Run.of("--version");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out().get(0)).matches("mmapvec \\d+\\.\\d+\\.\\d+.*");
    assertThat(r.out().get(1)).startsWith("Java " + Runtime.version().feature());
  }

  @Test
  void unknownOptionIsOneLineUsageError() {
    Run r = Run.of("--frobnicate");
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: ")
        .contains("--frobnicate")
        .endsWith("(see 'mmapvec --help')");
  }

  @Test
  void missingCommandIsOneLineUsageError() {
    Run r = Run.of();
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.err()).singleElement().asString().startsWith("mmapvec: missing command");
  }

  @Test
  void unknownCommandIsOneLineUsageError() {
    Run r = Run.of("frobnicate");
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.err()).singleElement().asString().startsWith("mmapvec: ");
  }

  @Test
  void exitCodesAreTheDocumentedOnes(@TempDir Path dir) throws IOException {
    // The README and Main's Javadoc promise 0 (success), 1 (a data error), 2 (a usage error):
    // what the tool returns, not what the constants say.
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    assertThat(Run.of("--version").exitCode()).isEqualTo(0);
    assertThat(Run.of("demo", notADirectory.toString()).exitCode()).isEqualTo(1);
    assertThat(Run.of("--frobnicate").exitCode()).isEqualTo(2);
  }

  /** House rule: the tool is a client of the public API only. */
  @Test
  void toolUsesOnlyThePublicApi() throws IOException {
    Path src = Path.of("src/main/java");
    assertThat(src).isDirectory();
    try (Stream<Path> files = Files.walk(src)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> read(p).contains("io.mmapvec.internal"))
              .toList();
      assertThat(offenders).isEmpty();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
