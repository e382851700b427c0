package io.mmapvec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mmapvec.VecFiles;
import io.mmapvec.VecReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mmapvec stats FILE [--json]}: per field count, min, max, mean, NaNs and a histogram. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Per field: count, min, max, mean, NaN count (float and double fields) and a histogram of",
      "the values in " + StatsCommand.BINS + " equal bins from min to max, drawn as one line.",
      "Reads every committed element twice. Works on files of either byte order."
    })
final class StatsCommand extends ToolCommand {
  static final int BINS = 16;
  private static final String BARS = " ▁▂▃▄▅▆▇█";

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file.")
  Path file;

  @Option(names = "--json", description = "One JSON object instead of a table.")
  boolean json;

  /** What one pass over a column found. */
  static final class ColumnStats {
    final Values.Column column;
    long count;
    long nanCount;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long minLong = Long.MAX_VALUE;
    long maxLong = Long.MIN_VALUE;
    double sum;
    long origin; // integer columns: values are summed as differences from the first
    double finiteMin = Double.POSITIVE_INFINITY;
    double finiteMax = Double.NEGATIVE_INFINITY;
    final long[] bins = new long[BINS];

    ColumnStats(Values.Column column) {
      this.column = column;
    }

    boolean hasValues() {
      return count - nanCount > 0;
    }

    double mean() {
      return origin + sum / (count - nanCount);
    }

    int bin(double v) {
      if (!(finiteMax > finiteMin)) {
        return 0;
      }
      int b = (int) ((v - finiteMin) / (finiteMax - finiteMin) * BINS);
      return Math.min(BINS - 1, Math.max(0, b));
    }
  }

  @Override
  int execute() throws IOException {
    List<ColumnStats> stats = new ArrayList<>();
    long size;
    try (VecReader r = VecFiles.openReader(file)) {
      size = r.size();
      for (Values.Column c : Values.columns(r.description())) {
        stats.add(new ColumnStats(c));
      }
      MemorySegment data = r.elements();
      ByteOrder order = r.byteOrder();
      long elementBytes = r.description().elementByteSize();
      try (Progress p = Progress.startCounting("stats", 2 * size, " elements", drawBar())) {
        for (long i = 0; i < size; i++) {
          long base = i * elementBytes;
          for (ColumnStats s : stats) {
            first(s, data, base, order);
          }
          if ((i & 0xFFFF) == 0) {
            p.accept(i);
          }
        }
        for (long i = 0; i < size; i++) {
          long base = i * elementBytes;
          for (ColumnStats s : stats) {
            double v = Values.asDouble(data, base + s.column.offset(), s.column, order);
            if (Double.isFinite(v)) {
              s.bins[s.bin(v)]++;
            }
          }
          if ((i & 0xFFFF) == 0) {
            p.accept(size + i);
          }
        }
      }
    }
    if (json) {
      printJson(out(), size, stats);
    } else {
      printTable(out(), size, stats);
    }
    return Main.OK;
  }

  private boolean drawBar() {
    return !common.quiet && Progress.stderrIsTerminal();
  }

  private static void first(ColumnStats s, MemorySegment data, long base, ByteOrder order) {
    Values.Column c = s.column;
    s.count++;
    if (c.isFloating()) {
      double v = Values.asDouble(data, base + c.offset(), c, order);
      if (Double.isNaN(v)) {
        s.nanCount++;
        return;
      }
      s.min = Math.min(s.min, v);
      s.max = Math.max(s.max, v);
      s.sum += v;
      if (Double.isFinite(v)) {
        s.finiteMin = Math.min(s.finiteMin, v);
        s.finiteMax = Math.max(s.finiteMax, v);
      }
    } else {
      long v = Values.asLong(data, base + c.offset(), c, order);
      if (s.count == 1) {
        s.origin = v;
      }
      s.minLong = Math.min(s.minLong, v);
      s.maxLong = Math.max(s.maxLong, v);
      // Summed relative to the first value: large values (timestamps) keep their low digits.
      long d = v - s.origin;
      boolean overflow = ((v ^ s.origin) & (v ^ d)) < 0;
      s.sum += overflow ? (double) v - (double) s.origin : d;
      s.finiteMin = Math.min(s.finiteMin, v);
      s.finiteMax = Math.max(s.finiteMax, v);
    }
  }

  private static String minText(ColumnStats s) {
    if (!s.hasValues()) {
      return "-";
    }
    return s.column.isFloating() ? exact(s.column, s.min) : Long.toString(s.minLong);
  }

  private static String maxText(ColumnStats s) {
    if (!s.hasValues()) {
      return "-";
    }
    return s.column.isFloating() ? exact(s.column, s.max) : Long.toString(s.maxLong);
  }

  /** {@return a value of the column as Java prints it: the shortest text that reads back} */
  private static String exact(Values.Column c, double v) {
    return c.type().equals("float") ? Float.toString((float) v) : Double.toString(v);
  }

  /** {@return a mean, to six significant digits, or one decimal when it is large} */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (Math.abs(v) >= 1e5 && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** {@return the histogram as one line of block characters, scaled to the fullest bin} */
  static String sparkline(long[] bins) {
    long top = 0;
    for (long b : bins) {
      top = Math.max(top, b);
    }
    StringBuilder line = new StringBuilder();
    for (long b : bins) {
      int level = top == 0 || b == 0 ? 0 : (int) Math.max(1, Math.round(8.0 * b / top));
      line.append(BARS.charAt(level));
    }
    return line.toString();
  }

  private void printTable(PrintWriter out, long size, List<ColumnStats> stats) {
    out.println(file + ": " + InfoCommand.count(size) + " elements");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"field", "type", "count", "min", "max", "mean", "NaN", "histogram"});
    for (ColumnStats s : stats) {
      rows.add(
          new String[] {
            s.column.name(),
            s.column.type(),
            InfoCommand.count(s.count),
            minText(s),
            maxText(s),
            s.hasValues() ? number(s.mean()) : "-",
            s.column.isFloating() ? InfoCommand.count(s.nanCount) : "",
            s.hasValues() ? "|" + sparkline(s.bins) + "|" : ""
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int k = 0; k < r.length; k++) {
        width[k] = Math.max(width[k], r[k].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int k = 0; k < r.length; k++) {
        boolean numeric = k >= 2 && k <= 6;
        String cell = r[k];
        String padding = " ".repeat(width[k] - cell.length());
        line.append(numeric ? padding + cell : cell + padding).append(k + 1 < r.length ? "  " : "");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private void printJson(PrintWriter out, long size, List<ColumnStats> stats) throws IOException {
    try (JsonGenerator g = Json.writer(out, true)) {
      g.writeStartObject();
      g.writeStringField("file", file.toString());
      g.writeNumberField("length", size);
      g.writeArrayFieldStart("fields");
      for (ColumnStats s : stats) {
        g.writeStartObject();
        g.writeStringField("name", s.column.name());
        g.writeStringField("type", s.column.type());
        g.writeNumberField("count", s.count);
        if (!s.hasValues()) {
          g.writeNullField("min");
          g.writeNullField("max");
          g.writeNullField("mean");
        } else if (s.column.isFloating()) {
          writeDouble(g, "min", s.min);
          writeDouble(g, "max", s.max);
          writeDouble(g, "mean", s.mean());
        } else {
          g.writeNumberField("min", s.minLong);
          g.writeNumberField("max", s.maxLong);
          writeDouble(g, "mean", s.mean());
        }
        if (s.column.isFloating()) {
          g.writeNumberField("nanCount", s.nanCount);
        }
        g.writeObjectFieldStart("histogram");
        writeDouble(g, "from", s.hasValues() ? s.finiteMin : Double.NaN);
        writeDouble(g, "to", s.hasValues() ? s.finiteMax : Double.NaN);
        g.writeArrayFieldStart("counts");
        for (long b : s.bins) {
          g.writeNumber(b);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    out.println();
  }

  /** Writes a finite double as a number, anything else as null (JSON has no NaN or Infinity). */
  private static void writeDouble(JsonGenerator g, String name, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumberField(name, v);
    } else {
      g.writeNullField(name);
    }
  }
}
