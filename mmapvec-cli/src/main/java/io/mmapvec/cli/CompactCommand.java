package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mmapvec compact FILE}: shrinks the capacity to the length. */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Shrink a vector file's capacity to its length (rounded up to a page), in the crash-safe",
      "order of shrinkToFit: the length is committed before the file is cut. Takes the writer's",
      "lock: exit 3 while anyone else has the file open."
    })
final class CompactCommand extends ToolCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file.")
  Path file;

  @Override
  int execute() throws IOException {
    long freed = VecFiles.compact(file);
    VecDescription d = VecFiles.describe(file);
    out()
        .println(
            file
                + ": "
                + InfoCommand.count(d.size())
                + " elements, capacity "
                + InfoCommand.count(d.capacity())
                + ", file "
                + InfoCommand.mib(d.fileByteSize())
                + " ("
                + InfoCommand.mib(freed)
                + " freed)");
    return Main.OK;
  }
}
