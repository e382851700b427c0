package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.export.VecExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mmapvec import IN.parquet OUT}: a new vector file from a Parquet file. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Create the vector file OUT from the Parquet file IN, whose columns must all be",
      "BOOLEAN, INT8, INT16, UINT16, INT32, INT64, FLOAT or DOUBLE with no nulls. One column",
      "named 'value' becomes a primitive vector, anything else a record vector. OUT must not",
      "exist; it appears only when complete."
    })
final class ImportCommand extends ToolCommand {
  @Parameters(index = "0", paramLabel = "IN", description = "The Parquet file to read.")
  Path source;

  @Parameters(index = "1", paramLabel = "OUT", description = "The vector file to create.")
  Path target;

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
      VecExport.fromParquet(source, target, p);
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
