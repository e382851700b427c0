package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mmapvec convert FILE OUT --byte-order big|little}: a copy in the named byte order. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Write a copy of FILE to the new file OUT in the given byte order: every field of every",
      "element swapped by the recorded layout. OUT is created atomically and never replaces",
      "an existing file. Use it to move a file to a machine of the other byte order."
    })
final class ConvertCommand extends ToolCommand {
  /** The byte orders, as the option spells them. */
  enum Order {
    big,
    little
  }

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file to copy.")
  Path file;

  @Parameters(index = "1", paramLabel = "OUT", description = "The new file; must not exist.")
  Path target;

  @Option(
      names = "--byte-order",
      required = true,
      paramLabel = "big|little",
      description = "The byte order of OUT: ${COMPLETION-CANDIDATES}.")
  Order order;

  @Override
  int execute() throws IOException {
    ByteOrder bo = order == Order.big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    long total = Progress.dataBytes(file);
    try (Progress p = progress("convert", total)) {
      VecFiles.convert(file, target, bo, p);
    }
    VecDescription d = VecFiles.describe(target);
    out()
        .println(
            target
                + ": "
                + InfoCommand.count(d.size())
                + " "
                + d.elementType()
                + " elements, "
                + Values.orderName(d.byteOrder())
                + "-endian, "
                + InfoCommand.mib(d.fileByteSize()));
    return Main.OK;
  }
}
