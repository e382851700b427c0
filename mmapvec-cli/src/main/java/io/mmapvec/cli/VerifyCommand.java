package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mmapvec verify FILE}: every check opening makes, then a read of every committed byte. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check a vector file: every check opening it makes, then a read of every committed byte",
      "(and that booleans hold 0 or 1). Exit 0 when it is sound, 1 with one line per problem.",
      "Files of either byte order are checked. Takes a reader's shared lock: exit 3 while a",
      "writer holds the file."
    })
final class VerifyCommand extends ToolCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file.")
  Path file;

  @Override
  int execute() throws IOException {
    long total = Progress.dataBytes(file);
    VerifyReport report;
    try (Progress p = progress("verify", total)) {
      report = VecFiles.verify(file, p);
    }
    for (VerifyReport.Problem problem : report.problems()) {
      err().println("mmapvec: " + file + ": " + problem.message());
    }
    if (!report.isSound()) {
      out()
          .println(
              file
                  + ": NOT sound, "
                  + report.problems().size()
                  + (report.problems().size() == 1 ? " problem" : " problems"));
      return Main.FAILED;
    }
    VecDescription d = report.description().orElseThrow();
    out()
        .println(
            file
                + ": sound, "
                + InfoCommand.count(d.size())
                + " "
                + d.elementType()
                + " elements ("
                + InfoCommand.mib(d.size() * d.elementByteSize())
                + ") read, "
                + Values.orderName(d.byteOrder())
                + "-endian");
    for (String note : report.notes()) {
      out().println("  note: " + note);
    }
    return Main.OK;
  }
}
