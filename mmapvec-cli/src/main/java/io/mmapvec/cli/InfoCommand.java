package io.mmapvec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmapvec info FILE [--json | --numpy | --c]}: every header field and the lock state; for a
 * column group directory, its identity, commit sequence and columns.
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Show every header field of a vector file and who holds its lock.",
      "",
      "Works on files of either byte order and while a writer has the file open (it takes no",
      "lock and shows the last committed state).",
      "",
      "On a column group directory: its magic, data version, last commit sequence and each",
      "column with its type, element size and length at that commit (--json: a 'columns'",
      "list). The group is opened read-only, so a group held by a writer is refused (exit 3)."
    })
final class InfoCommand extends ToolCommand {
  @Parameters(
      index = "0",
      paramLabel = "FILE|DIR",
      description = "The vector file, or a column group directory.")
  Path file;

  @ArgGroup(exclusive = true)
  Format format;

  static final class Format {
    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Option(names = "--numpy", description = "A numpy.memmap snippet that reads the file.")
    boolean numpy;

    @Option(names = "--c", description = "A C struct for one element, with its offsets.")
    boolean c;
  }

  @Override
  int execute() throws IOException {
    if (java.nio.file.Files.isDirectory(file)) {
      if (format != null && (format.numpy || format.c)) {
        throw usage("--numpy and --c describe one vector file; give a column file of the group");
      }
      GroupInfo g = GroupInfo.read(file);
      if (format != null && format.json) {
        g.printJson(out());
      } else {
        g.printText(out());
      }
      return Main.OK;
    }
    VecDescription d = VecFiles.describe(file);
    if (format != null && format.json) {
      printJson(out(), d);
    } else if (format != null && format.numpy) {
      printNumpy(out(), d);
    } else if (format != null && format.c) {
      printC(out(), d);
    } else {
      printText(out(), d);
    }
    return Main.OK;
  }

  /** Prints the description as aligned "name value" lines. */
  static void printText(PrintWriter out, VecDescription d) {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("file", d.file().toString()));
    rows.add(row("magic", d.magic()));
    rows.add(row("data version", d.dataVersion().toString()));
    rows.add(row("format version", Integer.toString(d.formatVersion())));
    rows.add(
        row(
            "byte order",
            Values.orderName(d.byteOrder())
                + "-endian"
                + (d.byteOrder() == ByteOrder.nativeOrder()
                    ? " (this machine's)"
                    : " (not this machine's: convert it before opening it here)")));
    rows.add(
        row(
            "element type",
            d.elementType()
                + ", "
                + d.elementSize()
                + (d.elementSize() == 1 ? " byte" : " bytes")
                + ", aligned to "
                + d.elementByteAlignment()));
    for (Values.Column c : Values.columns(d)) {
      rows.add(row("  " + c.name(), c.type() + " at offset " + c.offset()));
    }
    rows.add(row("length", count(d.size()) + " elements (committed)"));
    rows.add(row("capacity", count(d.capacity()) + " elements"));
    rows.add(row("data offset", Long.toString(d.dataOffset())));
    rows.add(row("file size", count(d.fileByteSize()) + " bytes (" + mib(d.fileByteSize()) + ")"));
    rows.add(
        row(
            "active commit",
            "slot "
                + d.active().slot()
                + ", sequence "
                + d.active().sequence()
                + ", at "
                + d.active().time()));
    rows.add(
        row(
            "other slot",
            d.other()
                .map(
                    o ->
                        "slot "
                            + o.slot()
                            + ", sequence "
                            + o.sequence()
                            + ", length "
                            + count(o.size()))
                .orElse("slot " + (1 - d.active().slot()) + ", empty or damaged")));
    rows.add(row("created", d.created() + " (page size " + d.pageSizeAtCreate() + " bytes)"));
    rows.add(row("lock", lockText(d.lock())));
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
    for (String[] r : rows) {
      out.println(r[0] + " ".repeat(width - r[0].length()) + r[1]);
    }
  }

  /** {@return the lock state in words} */
  static String lockText(VecDescription.LockState lock) {
    String pids =
        lock.pids().isEmpty()
            ? ""
            : " (pid" + (lock.pids().size() == 1 ? " " : "s ") + joinPids(lock.pids()) + ")";
    return switch (lock.holder()) {
      case FREE -> "free";
      case WRITER -> "held by a writer" + pids;
      case READERS -> "shared by readers" + pids;
      case UNKNOWN -> "unknown (this system does not list locks)";
    };
  }

  private static String joinPids(List<Long> pids) {
    return String.join(", ", pids.stream().map(String::valueOf).toList());
  }

  private static void printJson(PrintWriter out, VecDescription d) throws IOException {
    try (JsonGenerator g = Json.writer(out, true)) {
      g.writeStartObject();
      g.writeStringField("file", d.file().toString());
      g.writeStringField("magic", d.magic());
      g.writeStringField("dataVersion", d.dataVersion().toString());
      g.writeNumberField("formatVersion", d.formatVersion());
      g.writeStringField("byteOrder", Values.orderName(d.byteOrder()));
      g.writeStringField("elementType", d.elementType());
      g.writeNumberField("elementSize", d.elementSize());
      g.writeNumberField("elementAlignment", d.elementByteAlignment());
      g.writeArrayFieldStart("fields");
      for (Values.Column c : Values.columns(d)) {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("type", c.type());
        g.writeNumberField("offset", c.offset());
        g.writeNumberField("size", c.byteSize());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("length", d.size());
      g.writeNumberField("capacity", d.capacity());
      g.writeNumberField("dataOffset", d.dataOffset());
      g.writeNumberField("fileSize", d.fileByteSize());
      g.writeObjectFieldStart("activeCommit");
      g.writeNumberField("slot", d.active().slot());
      g.writeNumberField("sequence", d.active().sequence());
      g.writeNumberField("length", d.active().size());
      g.writeStringField("time", d.active().time().toString());
      g.writeEndObject();
      g.writeFieldName("otherCommit");
      if (d.other().isPresent()) {
        VecDescription.Commit o = d.other().get();
        g.writeStartObject();
        g.writeNumberField("slot", o.slot());
        g.writeNumberField("sequence", o.sequence());
        g.writeNumberField("length", o.size());
        g.writeStringField("time", o.time().toString());
        g.writeEndObject();
      } else {
        g.writeNull();
      }
      g.writeStringField("created", d.created().toString());
      g.writeNumberField("pageSizeAtCreate", d.pageSizeAtCreate());
      g.writeObjectFieldStart("lock");
      g.writeStringField("state", d.lock().holder().name().toLowerCase(Locale.ROOT));
      g.writeArrayFieldStart("pids");
      for (long pid : d.lock().pids()) {
        g.writeNumber(pid);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
    out.println();
  }

  private static void printNumpy(PrintWriter out, VecDescription d) {
    String o = d.byteOrder() == ByteOrder.BIG_ENDIAN ? ">" : "<";
    List<Values.Column> cols = Values.columns(d);
    out.println("import numpy as np");
    out.println();
    if (d.isStruct()) {
      out.println("dtype = np.dtype({");
      out.println(
          "    \"names\": ["
              + String.join(", ", cols.stream().map(c -> Json.quote(c.name())).toList())
              + "],");
      out.println(
          "    \"formats\": ["
              + String.join(
                  ", ", cols.stream().map(c -> "\"" + numpyType(c.type(), o) + "\"").toList())
              + "],");
      out.println(
          "    \"offsets\": ["
              + String.join(", ", cols.stream().map(c -> Long.toString(c.offset())).toList())
              + "],");
      out.println("    \"itemsize\": " + d.elementSize() + ",");
      out.println("})");
    } else {
      out.println("dtype = np.dtype(\"" + numpyType(d.elementType(), o) + "\")");
    }
    out.println(
        "# "
            + count(d.size())
            + " committed elements when this was printed; a writer may have added more since.");
    out.println(
        "data = np.memmap("
            + Json.quote(d.file().toString())
            + ", dtype=dtype, mode=\"r\", offset="
            + d.dataOffset()
            + ", shape=("
            + d.size()
            + ",))");
  }

  private static String numpyType(String javaType, String order) {
    return switch (javaType) {
      case "byte" -> "i1";
      case "boolean" -> "?";
      case "short" -> order + "i2";
      case "char" -> order + "u2";
      case "int" -> order + "i4";
      case "long" -> order + "i8";
      case "float" -> order + "f4";
      case "double" -> order + "f8";
      default -> throw new IllegalArgumentException("type " + javaType);
    };
  }

  private static void printC(PrintWriter out, VecDescription d) {
    String name = cIdentifier(stem(d.file()));
    out.println("#include <stdbool.h>");
    out.println("#include <stddef.h>");
    out.println("#include <stdint.h>");
    out.println();
    out.println(
        "/* "
            + d.file().toString().replace("*/", "*_/")
            + ": "
            + d.size()
            + " committed elements of "
            + d.elementSize()
            + " bytes from byte offset "
            + d.dataOffset()
            + ", "
            + Values.orderName(d.byteOrder())
            + "-endian"
            + (d.byteOrder() == ByteOrder.nativeOrder()
                ? ""
                : " (swap each value on this machine: be64toh, le32toh, ...)")
            + ". */");
    out.println("#define " + name.toUpperCase(Locale.ROOT) + "_DATA_OFFSET " + d.dataOffset());
    if (!d.isStruct()) {
      out.println("typedef " + cType(d.elementType()) + " " + name + "_t;");
      return;
    }
    List<Values.Column> cols = new ArrayList<>(Values.columns(d));
    cols.sort(Comparator.comparingLong(Values.Column::offset));
    boolean packed = false;
    long at = 0;
    StringBuilder body = new StringBuilder();
    List<String> asserts = new ArrayList<>();
    int pad = 0;
    boolean overlap = false;
    for (Values.Column c : cols) {
      if (c.offset() < at) {
        overlap = true;
        break;
      }
      if (c.offset() > at) {
        body.append("  uint8_t _pad")
            .append(pad++)
            .append('[')
            .append(c.offset() - at)
            .append("];\n");
      }
      packed |= c.offset() % c.byteSize() != 0;
      String field = cIdentifier(c.name());
      body.append("  ")
          .append(cType(c.type()))
          .append(' ')
          .append(field)
          .append(";  /* offset ")
          .append(c.offset())
          .append(" */\n");
      asserts.add(
          "_Static_assert(offsetof(struct "
              + name
              + ", "
              + field
              + ") == "
              + c.offset()
              + ", \"offset of "
              + field
              + "\");");
      at = c.offset() + c.byteSize();
    }
    if (overlap) {
      out.println("/* fields overlap: no C struct describes this layout; read each field at its");
      out.println(" * offset instead. */");
      return;
    }
    if (d.elementSize() > at) {
      body.append("  uint8_t _pad")
          .append(pad)
          .append('[')
          .append(d.elementSize() - at)
          .append("];  /* to the element size */\n");
    }
    out.println("struct " + (packed ? "__attribute__((packed)) " : "") + name + " {");
    out.print(body);
    out.println("};");
    out.println(
        "_Static_assert(sizeof(struct "
            + name
            + ") == "
            + d.elementSize()
            + ", \"element size\");");
    asserts.forEach(out::println);
  }

  private static String cType(String javaType) {
    return switch (javaType) {
      case "byte" -> "int8_t";
      case "boolean" -> "bool";
      case "short" -> "int16_t";
      case "char" -> "uint16_t";
      case "int" -> "int32_t";
      case "long" -> "int64_t";
      case "float" -> "float";
      case "double" -> "double";
      default -> throw new IllegalArgumentException("type " + javaType);
    };
  }

  private static String stem(Path file) {
    String n = file.getFileName() == null ? "vec" : file.getFileName().toString();
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** {@return {@code s} with every character not allowed in a C identifier replaced by '_'} */
  static String cIdentifier(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
      b.append(ok ? c : '_');
    }
    if (b.isEmpty() || Character.isDigit(b.charAt(0))) {
      b.insert(0, '_');
    }
    return b.toString();
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }

  /** {@return n with thousands separators} */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** {@return bytes in MiB, one decimal} */
  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
