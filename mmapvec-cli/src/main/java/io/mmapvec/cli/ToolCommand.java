package io.mmapvec.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The base of every subcommand: the common options, the output streams, progress bars, and the rule
 * that failures are exceptions. A subcommand is one class that extends this, carries a
 * {@code @Command(name = ..., description = ...)} annotation and implements {@link #execute()};
 * listing it in {@link Main}'s {@code subcommands} makes it part of the tool.
 *
 * <p>Failures: throw. An {@link java.io.IOException} from the library becomes one line on stderr
 * and an exit code ({@link Main#LOCKED} for {@link io.mmapvec.VecLockedException}, {@link
 * Main#FAILED} otherwise); a {@link CliException} carries its own line and code; {@link
 * #usage(String)} makes a usage error ({@link Main#USAGE}). Messages name the file. No stack trace
 * is printed unless {@code --stacktrace} is given.
 */
abstract class ToolCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  /**
   * Runs the subcommand.
   *
   * @return the exit code, usually {@link Main#OK}
   * @throws Exception any failure, reported as the class comment says
   */
  abstract int execute() throws Exception;

  @Override
  public final Integer call() throws Exception {
    try {
      return execute();
    } finally {
      out().flush();
      err().flush();
    }
  }

  /** {@return standard output, as picocli was told (tests capture it)} */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** {@return standard error, as picocli was told} */
  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * {@return a progress bar for {@code totalBytes} bytes of work, drawn on stderr when it is a
   * terminal and {@code --quiet} is not given; otherwise one that draws nothing}
   *
   * @param task a short name shown before the bar
   * @param totalBytes the amount of work
   */
  final Progress progress(String task, long totalBytes) {
    return Progress.start(task, totalBytes, !common.quiet && Progress.stderrIsTerminal());
  }

  /**
   * {@return a usage error to throw: one line, exit code {@link Main#USAGE}}
   *
   * @param message what is wrong with the command line
   */
  final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
