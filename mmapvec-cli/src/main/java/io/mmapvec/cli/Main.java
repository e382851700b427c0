package io.mmapvec.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code mmapvec} command: the top of the tool, holding one subcommand class per verb.
 *
 * <p>Exit codes are {@link #OK}, {@link #DATA_ERROR} and {@link #USAGE}. Every failure is reported
 * as one line on stderr that names the file and the problem; the tool never prints a stack trace.
 * Build the command with {@link #commandLine()}, which installs the handlers that do this.
 *
 * <p>The tool uses only the public API in {@code io.mmapvec}.
 */
@Command(
    name = "mmapvec",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Work with mmapvec files: growable vectors of primitives in memory-mapped files.",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code: success. */
  public static final int OK = 0;

  /** Exit code: an error in the data or the file (cannot open, wrong format, failed check). */
  public static final int DATA_ERROR = 1;

  /** Exit code: the command line is wrong (unknown option, missing command, bad argument). */
  public static final int USAGE = 2;

  @Spec CommandSpec spec;

  /** Creates the command; picocli fills in its fields. */
  public Main() {}

  /**
   * Runs the tool and exits the JVM with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * {@return the tool's command line, with the handlers that turn every failure into one line on
   * stderr and a named exit code} Tests call {@code setOut}/{@code setErr} on it and then {@code
   * execute}.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new OneLineErrors());
    cl.setParameterExceptionHandler(new OneLineUsageErrors());
    cl.setExitCodeExceptionMapper(t -> t instanceof CliException c ? c.exitCode() : DATA_ERROR);
    return cl;
  }

  /** Without a subcommand: a usage error that points at the help. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /**
   * {@return one line for {@code e}, without the " (file)" suffix the library appends when {@code
   * file} is already named by the caller}
   *
   * @param e the exception from the library or the JDK
   * @param file the file the caller's message names
   */
  static String describe(Throwable e, Path file) {
    String m;
    if (e instanceof FileSystemException fse) {
      // The JDK's messages are "file: reason"; rebuild them so the file is not named twice.
      if (fse.getReason() != null) {
        m = fse.getReason();
      } else if (e instanceof NoSuchFileException) {
        m = "no such file or directory";
      } else if (e instanceof AccessDeniedException) {
        m = "permission denied";
      } else {
        m = e.getMessage();
      }
      String other = fse.getFile();
      if (other != null && (file == null || !other.equals(file.toString())) && !m.contains(other)) {
        m = m + " (" + other + ")";
      }
    } else {
      m = e.getMessage();
    }
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    if (file != null) {
      String suffix = " (" + file + ")";
      if (m.endsWith(suffix)) {
        m = m.substring(0, m.length() - suffix.length());
      }
    }
    return oneLine(m);
  }

  /** {@return {@code s} with line breaks folded into spaces} */
  static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Prints a failure of a subcommand as one line and maps it to an exit code. */
  static final class OneLineErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
      PrintWriter err = cmd.getErr();
      int code;
      String message;
      if (ex instanceof CliException c) {
        code = c.exitCode();
        message = c.getMessage();
      } else if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
        code = DATA_ERROR;
        message = describe(ex, null);
      } else {
        // A bug in the tool or the library: still one line, with the exception's type to search
        // for.
        code = DATA_ERROR;
        message = "internal error: " + ex.getClass().getName() + ": " + describe(ex, null);
      }
      err.println("mmapvec: " + oneLine(message));
      err.flush();
      return code;
    }
  }

  /**
   * Prints a command-line mistake as one line that points at the help, exit code {@link #USAGE}.
   */
  static final class OneLineUsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      String name = cmd.getCommandSpec().qualifiedName();
      cmd.getErr().println("mmapvec: " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
      cmd.getErr().flush();
      return USAGE;
    }
  }

  /** The version line: the tool's Maven version and the JVM it runs on. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = "unknown";
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          v = p.getProperty("version", v);
        }
      } catch (IOException e) {
        // Keep "unknown": the version line must never fail.
      }
      return new String[] {
        "mmapvec " + v,
        "Java "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + "), "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
      };
    }
  }
}
