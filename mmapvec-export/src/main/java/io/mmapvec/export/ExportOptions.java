package io.mmapvec.export;

import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * How {@link VecExport} writes a file. Immutable; every {@code with…} method returns a copy.
 *
 * <pre>{@code
 * ExportOptions o = ExportOptions.defaults()
 *     .withCompression(Compression.SNAPPY)
 *     .withColumns(List.of("time", "price"))
 *     .withProgress(bytes -> bar.stepTo(bytes));
 * }</pre>
 *
 * @param compression Parquet page compression ({@link Compression#ZSTD} by default); Arrow files
 *     are always uncompressed
 * @param rowGroupRows rows per Parquet row group and per Arrow record batch, at least 1 (default
 *     {@value #DEFAULT_ROW_GROUP_ROWS}); a smaller last group holds the rest
 * @param columns the columns to write, in this order; empty (the default) for every column in file
 *     order. A primitive vector has one column, {@code value}; a record vector one per component
 * @param progress called from the exporting thread with the number of the source's element bytes
 *     done so far (rising to {@code size * elementSize}); it must be quick and must not throw
 */
public record ExportOptions(
    Compression compression, long rowGroupRows, List<String> columns, LongConsumer progress) {

  /** The default number of rows per row group or record batch: {@value}. */
  public static final long DEFAULT_ROW_GROUP_ROWS = 1L << 20;

  private static final LongConsumer NO_PROGRESS = bytes -> {};

  /**
   * Checks the parts and copies the column list.
   *
   * @throws NullPointerException if a part is null
   * @throws IllegalArgumentException if {@code rowGroupRows} is below 1 or above {@link
   *     Integer#MAX_VALUE}
   */
  public ExportOptions {
    Objects.requireNonNull(compression, "compression");
    columns = List.copyOf(columns);
    Objects.requireNonNull(progress, "progress");
    if (rowGroupRows < 1 || rowGroupRows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "rowGroupRows is " + rowGroupRows + ", expected 1.." + Integer.MAX_VALUE);
    }
  }

  /** {@return zstd, {@value #DEFAULT_ROW_GROUP_ROWS} rows per group, every column, no progress} */
  public static ExportOptions defaults() {
    return new ExportOptions(Compression.ZSTD, DEFAULT_ROW_GROUP_ROWS, List.of(), NO_PROGRESS);
  }

  /**
   * {@return a copy with the given compression}
   *
   * @param compression for Parquet pages
   */
  public ExportOptions withCompression(Compression compression) {
    return new ExportOptions(compression, rowGroupRows, columns, progress);
  }

  /**
   * {@return a copy with the given rows per row group (record batch)}
   *
   * @param rowGroupRows at least 1
   */
  public ExportOptions withRowGroupRows(long rowGroupRows) {
    return new ExportOptions(compression, rowGroupRows, columns, progress);
  }

  /**
   * {@return a copy that writes only these columns, in this order}
   *
   * @param columns column names; empty for all
   */
  public ExportOptions withColumns(List<String> columns) {
    return new ExportOptions(compression, rowGroupRows, columns, progress);
  }

  /**
   * {@return a copy that reports progress to {@code progress}}
   *
   * @param progress receives the element bytes done so far
   */
  public ExportOptions withProgress(LongConsumer progress) {
    return new ExportOptions(compression, rowGroupRows, columns, progress);
  }
}
