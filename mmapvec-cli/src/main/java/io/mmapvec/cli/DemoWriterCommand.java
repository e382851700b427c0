package io.mmapvec.cli;

import io.mmapvec.StructVec;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mmapvec demo-writer FILE} (hidden): the child the demo kills. Appends {@link
 * DemoCommand#tick(long) ticks} to FILE, syncs every {@link DemoCommand#CHILD_SYNC_EVERY} and
 * prints {@code "synced N"} after each sync returns, until it is killed. Ends by itself after a
 * minute, or when its parent is gone, so it never outlives the demo.
 */
@Command(
    name = DemoWriterCommand.NAME,
    hidden = true,
    description = "The demo's child writer: appends ticks, syncs, reports; runs until killed.")
final class DemoWriterCommand extends ToolCommand {
  static final String NAME = "demo-writer";
  static final String SYNCED = "synced ";
  private static final long LIMIT_NANOS = 60_000_000_000L;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to append to.")
  Path file;

  @Override
  int execute() throws Exception {
    PrintStream out = System.out;
    long start = System.nanoTime();
    var parent = ProcessHandle.current().parent();
    try (StructVec<DemoCommand.Tick> v =
        StructVec.open(file, DemoCommand.Tick.class, DemoCommand.OPTIONS)) {
      for (long i = v.size(); System.nanoTime() - start < LIMIT_NANOS; i++) {
        v.add(DemoCommand.tick(i));
        if ((i + 1) % DemoCommand.CHILD_SYNC_EVERY == 0) {
          v.sync();
          out.println(SYNCED + (i + 1));
          out.flush();
          if (parent.isPresent() && !parent.get().isAlive()) {
            break;
          }
        }
      }
    }
    return Main.OK;
  }
}
