package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over bytes (or any count) of work, from the progressbar library, drawn on stderr;
 * or nothing at all when it is not to be drawn. Pass it to the library as the progress callback,
 * then close it.
 *
 * <p>Threads: {@link #accept(long)} from the working thread; the library redraws from its own.
 */
final class Progress implements LongConsumer, AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * {@return a bar for {@code total} units, or a silent one when {@code draw} is false}
   *
   * @param task the name shown before the bar
   * @param total the amount of work, in bytes
   * @param draw whether to draw it
   */
  static Progress start(String task, long total, boolean draw) {
    if (!draw || total <= 0) {
      return new Progress(null);
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" MiB", 1 << 20)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(200)
            .showSpeed()
            .setConsumer(new ConsoleProgressBarConsumer(System.err, width()))
            .clearDisplayOnFinish()
            .build();
    return new Progress(bar);
  }

  /** {@return a bar counting elements instead of bytes} As {@link #start}, with a unit. */
  static Progress startCounting(String task, long total, String unit, boolean draw) {
    if (!draw || total <= 0) {
      return new Progress(null);
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(unit, 1)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(200)
            .showSpeed(new DecimalFormat("#,##0"))
            .setConsumer(new ConsoleProgressBarConsumer(System.err, width()))
            .clearDisplayOnFinish()
            .build();
    return new Progress(bar);
  }

  /**
   * {@return the committed data bytes of a vector file, the work a full read of it does; 0 when the
   * file cannot be described (the operation itself then reports why)}
   *
   * @param file a vector file
   */
  static long dataBytes(Path file) {
    try {
      VecDescription d = VecFiles.describe(file);
      return d.size() * d.elementByteSize();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** {@return whether this one draws anything} */
  boolean isDrawn() {
    return bar != null;
  }

  /** Moves the bar to {@code done} units. */
  @Override
  public void accept(long done) {
    if (bar != null) {
      bar.stepTo(done);
    }
  }

  /** Removes the bar and stops its redrawing thread. */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }

  private static int width() {
    try {
      int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80"));
      return Math.max(40, Math.min(columns, 120));
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /** {@return whether stderr is a terminal} */
  static boolean stderrIsTerminal() {
    return isTerminal(2);
  }

  /** {@return whether stdout is a terminal} */
  static boolean stdoutIsTerminal() {
    return isTerminal(1);
  }

  /**
   * {@return whether descriptor {@code fd} of this process is a terminal} On Linux the answer comes
   * from where {@code /proc/self/fd/N} leads; elsewhere from {@link System#console()}, which looks
   * at standard input and output.
   */
  private static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      var console = System.console();
      return console != null && console.isTerminal();
    }
  }
}
