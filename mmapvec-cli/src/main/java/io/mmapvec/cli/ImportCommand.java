package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.export.VecExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmapvec import IN.parquet OUT [--group]}: a new vector file, or column group directory,
 * from a Parquet file.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Create the vector file OUT from the Parquet file IN, whose columns must all be",
      "BOOLEAN, INT8, INT16, UINT16, INT32, INT64, FLOAT or DOUBLE with no nulls. One column",
      "named 'value' becomes a primitive vector, anything else a record vector. With --group,",
      "OUT is a column group directory instead: one column per Parquet column (columns named",
      "p.x, p.y become the record column p), readable as a ColumnarVec when all are primitive.",
      "OUT must not exist; it appears only when complete."
    })
final class ImportCommand extends ToolCommand {
  @Parameters(index = "0", paramLabel = "IN", description = "The Parquet file to read.")
  Path source;

  @Parameters(
      index = "1",
      paramLabel = "OUT",
      description = "The vector file (with --group: the group directory) to create.")
  Path target;

  @Option(
      names = "--group",
      description = "Create a column group directory, one column per Parquet column.")
  boolean group;

  @Override
  int execute() throws IOException, CliException {
    try {
      return run();
    } catch (UnsupportedClassVersionError e) {
      throw ExportCommand.needsNewerJdk(e);
    }
  }

  private int run() throws IOException {
    long total = Files.isRegularFile(source) ? Files.size(source) : 0;
    try (Progress p = progress("import", total)) {
      if (group) {
        VecExport.fromParquetToGroup(source, target, p);
      } else {
        VecExport.fromParquet(source, target, p);
      }
    }
    if (group) {
      GroupInfo g = GroupInfo.read(target);
      long rows = g.columns().getFirst().shownLength();
      out()
          .println(
              target
                  + ": group of "
                  + g.columns().size()
                  + (g.columns().size() == 1 ? " column, " : " columns, ")
                  + InfoCommand.count(rows)
                  + " rows, magic "
                  + g.magic()
                  + ", data version "
                  + g.dataVersion());
      return Main.OK;
    }
    VecDescription d = VecFiles.describe(target);
    String type =
        d.isStruct()
            ? "record elements (" + d.fields().size() + " fields)"
            : d.elementType() + " elements";
    out()
        .println(
            target
                + ": "
                + InfoCommand.count(d.size())
                + " "
                + type
                + ", magic "
                + d.magic()
                + ", data version "
                + d.dataVersion()
                + ", "
                + InfoCommand.mib(d.fileByteSize()));
    return Main.OK;
  }
}
