package io.mmapvec.internal.storage;

import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.format.GroupManifestFormat.Column;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The column files of a group directory, as a group writer ({@link GroupStore}) and a group reader
 * ({@link GroupView}) both find them: names ({@code NAME.vec}, pending {@code .add.NAME.vec} and
 * {@code .drop.NAME.vec}) and the layout check against a manifest entry.
 *
 * <p><b>Threads:</b> stateless.
 */
final class ColumnFiles {
  static final String ADD = ".add.";
  static final String DROP = ".drop.";
  static final String VEC = ".vec";

  private ColumnFiles() {}

  /** {@return the column name of a pending file name ({@code .add.X.vec}), or null} */
  static String pendingName(String fileName) {
    for (String prefix : new String[] {ADD, DROP}) {
      if (fileName.startsWith(prefix) && fileName.length() > prefix.length() + VEC.length()) {
        String name = fileName.substring(prefix.length(), fileName.length() - VEC.length());
        return GroupManifestFormat.nameProblem(name) == null ? name : null;
      }
    }
    return null;
  }

  /**
   * {@return the file of column {@code col} in {@code dir} now: {@code NAME.vec}, or while a writer
   * has it pending {@code .add.NAME.vec} or {@code .drop.NAME.vec}, or null if none exists} A
   * rename between two lookups is looked for again.
   */
  static Path find(Path dir, Column col) {
    for (int attempt = 0; attempt < 8; attempt++) {
      for (String name :
          new String[] {col.fileName(), ADD + col.fileName(), DROP + col.fileName()}) {
        Path p = dir.resolve(name);
        if (Files.exists(p)) {
          return p;
        }
      }
      Thread.onSpinWait();
    }
    return null;
  }

  /**
   * {@return the element layout of column file {@code p}, checked against the manifest entry}
   *
   * @throws VecFormatException ELEMENT_TYPE_MISMATCH if the file holds another type or size
   */
  static ElementLayout checkedLayout(Column c, Path p, Backend backend) throws IOException {
    ElementLayout layout;
    if (c.type() == ElementType.STRUCT) {
      try (RawFile f = RawFile.open(p, backend, false)) {
        layout = f.header().identity().layout(); // read without a lock
      }
    } else {
      layout = ElementLayout.of(c.type());
    }
    if (layout.type() != c.type() || layout.elementSize() != c.elementSize()) {
      throw new VecFormatException(
          Reason.ELEMENT_TYPE_MISMATCH,
          "column file holds "
              + layout.describe()
              + ", the group manifest says "
              + c.type().javaName()
              + " ("
              + c.elementSize()
              + " bytes)",
          p);
    }
    return layout;
  }
}
