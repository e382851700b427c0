package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  /** Runs {@code body} with System.err captured; returns what it printed there. */
  private static String stderrOf(Runnable body) {
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aDrawnBarShowsTheTaskAndTheAmountOnStderr() {
    String err =
        stderrOf(
            () -> {
              try (Progress p = Progress.start("verify", 4L << 20, true)) {
                assertThat(p.isDrawn()).isTrue();
                p.accept(2L << 20);
              }
            });
    assertThat(err).contains("verify").contains("/4 MiB");
  }

  @Test
  void aBarNotToBeDrawnPrintsNothing() {
    String err =
        stderrOf(
            () -> {
              try (Progress p = Progress.start("verify", 4L << 20, false)) {
                assertThat(p.isDrawn()).isFalse();
                p.accept(2L << 20);
              }
              try (Progress p = Progress.startCounting("dump", 10, " elements", false)) {
                p.accept(5);
              }
            });
    assertThat(err).isEmpty();
  }

  @Test
  void inTestsStderrIsNoTerminalSoCommandsDrawNoBar() {
    // Surefire gives the test JVM pipes, never a terminal: the in-process command tests see no bar.
    assertThat(Progress.stderrIsTerminal()).isFalse();
  }
}
