package io.mmapvec.cli;

import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.export.Compression;
import io.mmapvec.export.ExportOptions;
import io.mmapvec.export.VecExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmapvec export FILE|DIR OUT.parquet|OUT.arrow [--compression zstd|snappy|none] [--columns
 * a,b]}: the vector file or column group as Parquet or Arrow IPC, through mmapvec-export.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write the vector FILE, or the column group directory DIR, as a Parquet file (OUT ending",
      "in .parquet) or an Arrow IPC file (Feather v2; OUT ending in .arrow, .feather or .ipc),",
      "for DuckDB, Spark, Polars, pandas. A primitive vector is one column, 'value'; a record",
      "vector one column per field; a group one column per group column ('col.field' for a",
      "record column), read at the group's last commit.",
      "OUT is written under a temporary name and renamed into place (it replaces an existing",
      "file). FILE is read at its last commit, also while a writer holds it (as a live",
      "reader; started again if the writer rewrites exported elements meanwhile, refused after",
      "3 tries); a group DIR held by a writer is refused (exit 3)."
    })
final class ExportCommand extends ToolCommand {
  /** The output formats. */
  enum Format {
    parquet,
    arrow
  }

  /** The Parquet compressions, as the option spells them. */
  enum Codec {
    zstd,
    snappy,
    none
  }

  @Parameters(
      index = "0",
      paramLabel = "FILE|DIR",
      description = "The vector file or column group directory to export.")
  Path file;

  @Parameters(index = "1", paramLabel = "OUT", description = "The Parquet or Arrow file to write.")
  Path target;

  @Option(
      names = "--format",
      paramLabel = "parquet|arrow",
      description = "The output format; by default from OUT's extension.")
  Format format;

  @Option(
      names = "--compression",
      paramLabel = "zstd|snappy|none",
      description = "Parquet page compression (default: ${DEFAULT-VALUE}); Arrow is uncompressed.")
  Codec compression = Codec.zstd;

  @Option(
      names = "--columns",
      split = ",",
      paramLabel = "a,b",
      description = "Only these columns, in this order (default: all, in file order).")
  List<String> columns = new ArrayList<>();

  @Option(
      names = "--row-group-rows",
      paramLabel = "N",
      description = "Rows per Parquet row group / Arrow record batch (default: ${DEFAULT-VALUE}).")
  long rowGroupRows = 1L << 20;

  @Override
  int execute() throws IOException, CliException {
    try {
      return run();
    } catch (UnsupportedClassVersionError e) {
      throw ExportCommand.needsNewerJdk(e);
    }
  }

  private int run() throws IOException {
    Format f = format != null ? format : formatOf(target);
    if (f == null) {
      throw usage(
          "cannot tell the format of "
              + target
              + ": name it .parquet or .arrow (.feather, .ipc), or give --format");
    }
    if (rowGroupRows < 1 || rowGroupRows > Integer.MAX_VALUE) {
      throw usage("--row-group-rows must be 1.." + Integer.MAX_VALUE + ", not " + rowGroupRows);
    }
    long total = 0; // 0: no bar
    try {
      if (Files.isRegularFile(file)) {
        VecDescription d = VecFiles.describe(file);
        total = d.size() * d.elementSize();
      } else if (Files.isDirectory(file) && columns.isEmpty()) {
        // A group: its column files' element bytes (what the export counts, every column).
        try (var files = Files.newDirectoryStream(file, "*.vec")) {
          for (Path p : files) {
            if (!p.getFileName().toString().startsWith(".")) {
              VecDescription d = VecFiles.describe(p);
              total += d.size() * d.elementSize();
            }
          }
        }
      }
    } catch (IOException e) {
      total = 0; // the export itself reports what is wrong with the input
    }
    ExportOptions options =
        ExportOptions.defaults()
            .withCompression(Compression.valueOf(compression.name().toUpperCase(Locale.ROOT)))
            .withRowGroupRows(rowGroupRows)
            .withColumns(columns);
    long rows;
    try (Progress p = progress("export", total)) {
      rows =
          f == Format.parquet
              ? VecExport.toParquet(file, target, options.withProgress(p))
              : VecExport.toArrow(file, target, options.withProgress(p));
    }
    out()
        .println(
            target
                + ": "
                + InfoCommand.count(rows)
                + " rows, "
                + f
                + (f == Format.parquet ? " (" + compression + ")" : "")
                + ", "
                + InfoCommand.mib(Files.size(target)));
    return Main.OK;
  }

  /**
   * {@return the error for a JDK too old for mmapvec-export} The module uses the Class-File API
   * (JDK 24); the rest of the tool runs on JDK 22.
   *
   * @param e what loading the module's classes threw
   */
  static CliException needsNewerJdk(UnsupportedClassVersionError e) {
    return new CliException(
        Main.FAILED,
        "export and import need a JDK >= 24; this is "
            + Runtime.version()
            + " (set JAVA_HOME to a newer JDK)",
        e);
  }

  /** {@return the format a file name asks for, or null} */
  static Format formatOf(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet") || lower.endsWith(".pq")) {
      return Format.parquet;
    }
    if (lower.endsWith(".arrow") || lower.endsWith(".feather") || lower.endsWith(".ipc")) {
      return Format.arrow;
    }
    return null;
  }
}
