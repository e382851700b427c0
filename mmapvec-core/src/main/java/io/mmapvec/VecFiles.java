package io.mmapvec;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.HeaderReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Operations on vector files that need no Java element class, for tools and for reading the files
 * from other languages.
 *
 * <p><b>Locking:</b> {@link #describe(Path)} takes the shared locks a read-only vector takes, for
 * as long as it reads the header, so it is refused ({@link VecLockedException}) while a writer
 * holds the file or while this JVM has the file open; it never waits and never writes.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class VecFiles {
  private VecFiles() {}

  /**
   * {@return what the file at {@code path} holds, read from its validated header}
   *
   * <pre>{@code
   * VecDescription d = VecFiles.describe(Path.of("ticks.vec"));
   * for (FieldDescription f : d.fields()) {
   *   System.out.println(f.name() + " " + f.type() + " @" + f.offset());
   * }
   * }</pre>
   *
   * @param path the file
   * @throws VecFormatException if the file is not a mmapvec file, or is damaged
   * @throws VecLockedException if a writer holds the file, or this JVM has it open
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read
   */
  public static VecDescription describe(Path path) throws IOException {
    return describe(path, Backend.current());
  }

  /**
   * {@return what the file holds} As {@link #describe(Path)}, on {@code backend}.
   *
   * @param path the file
   * @param backend the native backend or the fallback
   * @throws IOException as {@link #describe(Path)} says
   */
  static VecDescription describe(Path path, Backend backend) throws IOException {
    Objects.requireNonNull(path, "path");
    HeaderReader.Result read = HeaderReader.read(path, backend);
    Header h = read.header();
    ElementLayout layout = h.identity().layout();
    List<FieldDescription> fields = new ArrayList<>(layout.fields().size());
    for (FieldLayout f : layout.fields()) {
      fields.add(
          new FieldDescription(f.name(), f.type().javaName(), f.offset(), f.type().byteSize()));
    }
    long fileBytes = read.fileBytes();
    long capacity = (fileBytes - HeaderFormat.DATA_OFFSET) / layout.elementSize();
    return new VecDescription(
        path,
        h.identity().magic(),
        h.identity().dataVersion(),
        h.formatVersion(),
        ByteOrder.nativeOrder(),
        layout.type().javaName(),
        layout.elementSize(),
        layout.byteAlignment(),
        fields,
        h.size(),
        capacity,
        fileBytes,
        HeaderFormat.DATA_OFFSET,
        h.pageSizeAtCreate(),
        Instant.ofEpochMilli(h.createdMillis()),
        commit(h.activeSlot(), h.active()),
        Optional.ofNullable(h.other()).map(o -> commit(1 - h.activeSlot(), o)));
  }

  private static VecDescription.Commit commit(int slot, CommitSlot c) {
    return new VecDescription.Commit(
        slot, c.sequence(), c.size(), Instant.ofEpochMilli(c.commitTimeMillis()));
  }
}
