package io.mmapvec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.mmapvec.VecFiles;
import io.mmapvec.VecReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mmapvec dump FILE [--from N] [--count N] [--format csv|jsonl]}: elements as text. */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = {
      "Print committed elements as text: CSV with a header row of field names (a primitive",
      "vector has one column, 'value'), or one JSON object per line. Works on files of either",
      "byte order. Takes a reader's shared lock: exit 3 while a writer holds the file."
    })
final class DumpCommand extends ToolCommand {
  /** The output formats. */
  enum Format {
    csv,
    jsonl
  }

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file.")
  Path file;

  @Option(
      names = "--from",
      paramLabel = "N",
      defaultValue = "0",
      description = "The first element to print (default: 0).")
  long from;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "How many elements to print (default: all from --from on).")
  Long count;

  @Option(
      names = "--format",
      paramLabel = "csv|jsonl",
      defaultValue = "csv",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  int execute() throws IOException, CliException {
    try (VecReader r = VecFiles.openReader(file)) {
      long size = r.size();
      if (from < 0 || from > size) {
        throw usage(
            "--from "
                + from
                + " is outside 0.."
                + size
                + ": "
                + file
                + " holds "
                + size
                + " elements");
      }
      long n = count == null ? size - from : count;
      if (n < 0 || n > size - from) {
        throw usage(
            "--from "
                + from
                + " --count "
                + n
                + " is past the end: "
                + file
                + " holds "
                + size
                + " elements");
      }
      List<Values.Column> cols = Values.columns(r.description());
      MemorySegment data = r.elements();
      ByteOrder order = r.byteOrder();
      long elementBytes = r.description().elementByteSize();
      PrintWriter out = out();
      // A bar only when the text goes to a file: on a terminal it would tear the output.
      boolean draw = !common.quiet && Progress.stderrIsTerminal() && !Progress.stdoutIsTerminal();
      try (Progress p = Progress.startCounting("dump", n, " elements", draw)) {
        if (format == Format.csv) {
          out.println(String.join(",", cols.stream().map(c -> csv(c.name())).toList()));
          StringBuilder line = new StringBuilder();
          for (long i = from; i < from + n; i++) {
            line.setLength(0);
            long base = i * elementBytes;
            for (int k = 0; k < cols.size(); k++) {
              Values.Column c = cols.get(k);
              if (k > 0) {
                line.append(',');
              }
              line.append(csv(Values.asText(data, base + c.offset(), c, order)));
            }
            out.println(line);
            if ((i & 0xFFFF) == 0) {
              p.accept(i - from);
            }
          }
        } else {
          try (JsonGenerator g = Json.writer(out, false)) {
            g.setPrettyPrinter(new MinimalPrettyPrinter("\n")); // one object per line
            for (long i = from; i < from + n; i++) {
              long base = i * elementBytes;
              g.writeStartObject();
              for (Values.Column c : cols) {
                g.writeFieldName(c.name());
                writeJsonValue(g, data, base + c.offset(), c, order);
              }
              g.writeEndObject();
              if ((i & 0xFFFF) == 0) {
                p.accept(i - from);
              }
            }
          }
          if (n > 0) {
            out.println();
          }
        }
        p.accept(n);
      }
      out.flush();
      if (out.checkError()) {
        throw new CliException(Main.FAILED, "cannot write the output (dumping " + file + ")", null);
      }
    }
    return Main.OK;
  }

  private static void writeJsonValue(
      JsonGenerator g, MemorySegment data, long at, Values.Column c, ByteOrder order)
      throws IOException {
    switch (c.type()) {
      case "float", "double" -> {
        double v = Values.asDouble(data, at, c, order);
        if (Double.isFinite(v)) {
          if (c.type().equals("float")) {
            g.writeNumber((float) v);
          } else {
            g.writeNumber(v);
          }
        } else {
          g.writeString(Values.asText(data, at, c, order)); // JSON has no NaN or Infinity
        }
      }
      case "boolean" -> g.writeBoolean(Values.asLong(data, at, c, order) != 0);
      case "char" -> g.writeString(Values.asText(data, at, c, order));
      default -> g.writeNumber(Values.asLong(data, at, c, order));
    }
  }

  /** {@return the text as one CSV field: quoted when it holds a comma, quote or line break} */
  static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
