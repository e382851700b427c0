package io.mmapvec.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the tool: exit code, stdout and stderr lines. */
record Run(int exitCode, List<String> out, List<String> err) {

  static Run of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, lines(out), lines(err));
  }

  private static List<String> lines(StringWriter w) {
    String s = w.toString();
    return s.isEmpty() ? List.of() : s.lines().toList();
  }
}
