package io.mmapvec.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Exports vector files and column groups to the columnar files that DuckDB, Spark, Trino, Polars,
 * pandas and pyarrow read (Parquet, Arrow IPC), and imports Parquet files back into vector files
 * and groups.
 *
 * <pre>{@code
 * VecExport.toParquet(Path.of("ticks.vec"), Path.of("ticks.parquet"), ExportOptions.defaults());
 * VecExport.toArrow(Path.of("ticks.vec"), Path.of("ticks.arrow"), ExportOptions.defaults());
 * VecExport.fromParquet(Path.of("ticks.parquet"), Path.of("copy.vec"), bytes -> {});
 * }</pre>
 *
 * <p><b>Columns and types:</b> a primitive vector becomes one column named {@code value}; a record
 * vector one column per component, named as the component, in declaration order (padding is not
 * exported). Types: {@code byte} INT8, {@code short} INT16, {@code char} UINT16, {@code int} INT32,
 * {@code long} INT64, {@code float} FLOAT, {@code double} DOUBLE, {@code boolean} BOOLEAN; no
 * column is nullable. In Parquet, INT8/INT16/UINT16 are INT32 with the INT(8|16, signed|unsigned)
 * annotation. The source's magic, data version and element type are stored as key-value metadata
 * ({@code mmapvec.magic}, {@code mmapvec.dataVersion}, {@code mmapvec.elementType}; Parquet footer,
 * Arrow schema) and read back by the import.
 *
 * <p><b>Column groups:</b> a group directory ({@link io.mmapvec.VecGroup}, {@link
 * io.mmapvec.ColumnarVec}) becomes one column per group column, named as the column, in manifest
 * order; a record column one column per component, named {@code column.component}. The group is
 * opened read-only (shared locks, as a vector) at its last commit; its magic and data version are
 * read from its column files. The selected columns must have the same length (a {@code
 * ColumnarVec}'s always do), else {@link ExportException} names two that differ. Selecting a record
 * column's name selects all its components. The metadata says {@code mmapvec.elementType} {@code
 * group} and holds the exported commit's {@code mmapvec.groupSequence}. A group without columns is
 * refused; a missing or extra column file is the group's {@link io.mmapvec.VecFormatException}
 * ({@code COLUMN_MISSING}, {@code COLUMN_EXTRA}), before anything is written.
 *
 * <p><b>Reading the source:</b> through the public API of mmapvec-core, read-only, without the Java
 * class of record elements. What is exported is the last commit. A vector file no writer holds is
 * read through {@link io.mmapvec.VecFiles#openReader} (either byte order), locked shared for the
 * whole export so that no writer can change it meanwhile. A vector file a writer holds (another
 * process, or this JVM) is read as a live reader (a read-only typed open) at the writer's last
 * durable commit; after writing, the file's rewrite counter is compared, and if a commit changed
 * exported elements meanwhile the export starts again, up to 3 times ({@link ExportException}
 * then). A rewrite stored but not yet committed while the export reads can still appear. Where live
 * reading is impossible (the {@code FileChannel} fallback), and for a group held by a writer, the
 * export fails with {@link io.mmapvec.VecLockedException} before anything is written. A {@code
 * ColumnarVec}'s group is read through {@link io.mmapvec.ColumnarVec#columnSegment}, so its {@code
 * char} and {@code boolean} columns export too. A file of the other byte order exports the same
 * values (Parquet is always little-endian; an Arrow file keeps the source's order and says so in
 * its schema).
 *
 * <p><b>Writing:</b> to a temporary file beside the target, flushed, then renamed over the target
 * and the directory flushed: when a method returns, the output is durable; when it throws, nothing
 * was written under the target name and the temporary file is deleted. Export replaces an existing
 * target; import refuses one.
 *
 * <p><b>Threads:</b> stateless; any thread may call it, for different files at once. Progress is
 * reported on the calling thread.
 */
public final class VecExport {
  /** How often an export of a vector that its writer rewrites meanwhile is tried. */
  private static final int ATTEMPTS = 3;

  private VecExport() {}

  /**
   * Writes the vector file {@code source} as the Parquet file {@code target}, through parquet-java.
   *
   * @param source a vector file or a column group directory
   * @param target the Parquet file to write or replace; its directory must exist
   * @param options compression (zstd by default), rows per row group, columns, progress
   * @throws java.nio.file.NoSuchFileException if {@code source}, or {@code target}'s directory,
   *     does not exist
   * @return the number of rows written
   * @throws io.mmapvec.VecFormatException if {@code source} is not a vector file or group, or is
   *     damaged (a group: a column file missing or extra)
   * @throws io.mmapvec.VecLockedException if a writer holds a group {@code source}, or a vector
   *     {@code source} that cannot be read as a live reader
   * @throws ExportException if a selected column does not exist, {@code target} is {@code source},
   *     a group has no column, the selected columns of a group differ in length, or a writer
   *     rewrote exported elements during each of 3 tries
   * @throws IOException if reading or writing fails (for example, the disk is full); nothing is
   *     left under the target name
   */
  public static long toParquet(Path source, Path target, ExportOptions options) throws IOException {
    return write(source, target, options, ParquetExport::write);
  }

  /**
   * Writes the vector file {@code source} as the Arrow IPC file (Feather v2) {@code target},
   * uncompressed, one record batch per {@link ExportOptions#rowGroupRows()} rows. Polars, pandas
   * and pyarrow can map it without copying. {@link ExportOptions#compression()} is ignored.
   *
   * @param source a vector file or a column group directory
   * @param target the Arrow file to write or replace; its directory must exist
   * @param options rows per record batch, columns, progress
   * @throws java.nio.file.NoSuchFileException if {@code source}, or {@code target}'s directory,
   *     does not exist
   * @return the number of rows written
   * @throws io.mmapvec.VecFormatException if {@code source} is not a vector file or group, or is
   *     damaged (a group: a column file missing or extra)
   * @throws io.mmapvec.VecLockedException if a writer holds a group {@code source}, or a vector
   *     {@code source} that cannot be read as a live reader
   * @throws ExportException if a selected column does not exist, {@code target} is {@code source},
   *     a group has no column, the selected columns of a group differ in length, or a writer
   *     rewrote exported elements during each of 3 tries
   * @throws IOException if reading or writing fails (for example, the disk is full); nothing is
   *     left under the target name
   */
  public static long toArrow(Path source, Path target, ExportOptions options) throws IOException {
    return write(source, target, options, ArrowExport::write);
  }

  /**
   * Creates the vector file {@code target} from the Parquet file {@code source}, whose columns must
   * all be of the exported types and hold no null (nullable columns without nulls are fine). One
   * column called {@code value} of a primitive type (or one that an export of a primitive vector
   * wrote) becomes a primitive vector; anything else a record vector with one component per column,
   * in order, readable with any record class of those component names and types. The magic and data
   * version come from the file's mmapvec metadata when it has them, else are the defaults.
   * Importing a file exported from a vector gives a vector of identical element bytes (except
   * record padding, which is zero).
   *
   * @param source a Parquet file
   * @param target the vector file to create: it must not exist, its directory must
   * @param progress receives the bytes of {@code source} read so far, after each row group, rising
   *     to the file's size
   * @throws java.nio.file.NoSuchFileException if {@code source}, or {@code target}'s directory,
   *     does not exist
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
   * @throws ExportException if {@code source} is not Parquet, has a column of another type (the
   *     message names it), or a null (the message names the column and row)
   * @throws IOException if reading or writing fails (for example, the disk is full); nothing is
   *     left under the target name
   */
  public static void fromParquet(Path source, Path target, LongConsumer progress)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(progress, "progress");
    ParquetImport.read(source, target, progress);
  }

  /**
   * Creates the column group directory {@code target} from the Parquet file {@code source}: one
   * group column per Parquet column, named as it; columns named {@code p.x}, {@code p.y} (as an
   * export of a group's record column {@code p} names them), adjacent, become one record column
   * {@code p} with components {@code x}, {@code y}. The columns must all be of the exported types
   * and hold no null. A file of primitive columns only becomes a {@link io.mmapvec.ColumnarVec}'s
   * group (every type, {@code char} and {@code boolean} included), which {@link
   * io.mmapvec.VecGroup} and any {@code ColumnarVec} of a record with the same component names and
   * types open; with record columns, a {@code VecGroup} (then a top-level {@code char} or {@code
   * boolean} column is refused: only a {@code ColumnarVec} holds those). Magic and data version
   * come from the file's mmapvec metadata when it has them, else are the defaults. Exporting a
   * group and importing the file gives a group of identical element bytes in every column (record
   * padding is zero).
   *
   * <p><b>Writing:</b> the group is built and committed in a temporary directory beside the target
   * and renamed into place when complete; when this throws, nothing is left under the target name
   * and the temporary directory is deleted (a crash can leave a {@code .NAME.tmp-…} directory,
   * never read, which can be deleted).
   *
   * @param source a Parquet file
   * @param target the group directory to create: it must not exist, its parent must
   * @param progress receives the bytes of {@code source} read so far, after each row group, rising
   *     to the file's size
   * @throws java.nio.file.NoSuchFileException if {@code source}, or {@code target}'s parent
   *     directory, does not exist
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
   * @throws ExportException if {@code source} is not Parquet, has a column of another type (the
   *     message names it), a null (naming the column and row), or a column name a group cannot hold
   * @throws IOException if reading or writing fails (for example, the disk is full); nothing is
   *     left under the target name
   */
  public static void fromParquetToGroup(Path source, Path target, LongConsumer progress)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(progress, "progress");
    ParquetImport.readGroup(source, target, progress);
  }

  @FunctionalInterface
  private interface Writer {
    void write(Source source, Path file, ExportOptions options) throws IOException;
  }

  private static long write(Path source, Path target, ExportOptions options, Writer writer)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(options, "options");
    Path temporary = AtomicOutput.temporaryFor(target, true);
    if (Files.exists(target) && Files.exists(source) && Files.isSameFile(source, target)) {
      throw new ExportException(target, "is the vector being exported; choose another output");
    }
    for (int attempt = 1; ; attempt++) {
      try (Source s = Source.open(source, options.columns())) {
        Long rows = write(s, target, temporary, options, writer);
        if (rows != null) {
          return rows;
        }
      }
      if (attempt == ATTEMPTS) {
        throw new ExportException(
            source,
            "was rewritten in place by its writer during each of "
                + ATTEMPTS
                + " exports (a commit changed elements being exported); export it when the writer"
                + " only appends, or is closed");
      }
    }
  }

  /**
   * Writes {@code s} to {@code temporary} and renames it to {@code target}.
   *
   * @return the rows written, or null (and no file) if the source's writer rewrote exported
   *     elements meanwhile
   */
  private static Long write(
      Source s, Path target, Path temporary, ExportOptions options, Writer writer)
      throws IOException {
    try {
      writer.write(s, temporary, options);
      if (!s.unchanged()) {
        Files.delete(temporary);
        return null;
      }
      AtomicOutput.commit(temporary, target, true);
      return s.rows();
    } catch (IOException e) {
      AtomicOutput.discard(temporary, e);
      // The JDK's plain IOExceptions (a full disk, say) name no file; say which one.
      throw e.getClass() == IOException.class
          ? new IOException("writing " + target + " failed: " + e.getMessage(), e)
          : e;
    } catch (RuntimeException | Error e) {
      AtomicOutput.discard(temporary, e);
      throw e;
    }
  }
}
