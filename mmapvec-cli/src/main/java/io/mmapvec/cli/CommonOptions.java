package io.mmapvec.cli;

import picocli.CommandLine.Option;

/**
 * The options every subcommand has ({@code --quiet}, {@code --stacktrace}), mixed in by {@link
 * ToolCommand}.
 */
final class CommonOptions {
  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bars.")
  boolean quiet;

  @Option(
      names = "--stacktrace",
      description = "On failure, print the stack trace after the one-line message.")
  boolean stacktrace;
}
