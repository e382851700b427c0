package io.mmapvec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mmapvec.Vec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecGroup;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code mmapvec info DIR} shows of a column group, read through the public API: the group
 * opened read-only (shared locks, so a writer holding it makes this fail with {@link
 * io.mmapvec.VecLockedException}), its columns described by {@link VecFiles#describe}.
 *
 * @param dir the group directory
 * @param magic the group's magic
 * @param dataVersion its data version
 * @param sequence the sequence of its last commit
 * @param columns its committed columns, in manifest order
 */
record GroupInfo(
    Path dir, String magic, String dataVersion, long sequence, List<ColumnInfo> columns) {

  /**
   * One column.
   *
   * @param name the column name (its file is {@code name.vec})
   * @param description its file's header
   * @param length its length at the group's commit, or -1 where no vector type can open it without
   *     the application's class (a record, char or boolean column): then the file's own committed
   *     length, {@code description.size()}, is shown
   */
  record ColumnInfo(String name, VecDescription description, long length) {
    /** {@return the length to show: the group's where known, else the column file's} */
    long shownLength() {
      return length >= 0 ? length : description.size();
    }
  }

  /**
   * Opens the group read-only and reads what {@code info} shows. The magic and data version, which
   * a group open must name, are read from a column file (the defaults for a group without one).
   *
   * @param dir the group directory
   * @return the group's description
   * @throws IOException as {@link VecGroup#open(Path, VecOptions)} (not a group, damaged, a column
   *     file missing or extra, held by a writer)
   */
  static GroupInfo read(Path dir) throws IOException {
    VecOptions options = VecOptions.defaults().withReadOnly(true);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.vec")) {
      for (Path p : files) {
        if (!p.getFileName().toString().startsWith(".")) {
          VecDescription d = VecFiles.describe(p);
          options =
              options
                  .withMagic(d.magic())
                  .withDataVersion(
                      d.dataVersion().major(), d.dataVersion().minor(), d.dataVersion().patch());
          break;
        }
      }
    }
    try (VecGroup g = VecGroup.openSnapshot(dir, options)) {
      List<ColumnInfo> columns = new ArrayList<>();
      for (String name : g.names()) {
        VecDescription d = VecFiles.describe(dir.resolve(name + ".vec"));
        Vec v =
            switch (d.elementType()) {
              case "byte" -> g.byteVec(name);
              case "short" -> g.shortVec(name);
              case "int" -> g.intVec(name);
              case "long" -> g.longVec(name);
              case "float" -> g.floatVec(name);
              case "double" -> g.doubleVec(name);
              default -> null;
            };
        columns.add(new ColumnInfo(name, d, v != null ? v.size() : -1));
      }
      return new GroupInfo(
          dir,
          options.magic(),
          options.dataVersion().toString(),
          g.sequence(),
          List.copyOf(columns));
    }
  }

  /** Prints the group as aligned "name value" lines, then one line per column. */
  void printText(PrintWriter out) {
    out.println("group           " + dir);
    out.println("magic           " + magic);
    out.println("data version    " + dataVersion);
    out.println("group commit    sequence " + sequence);
    out.println("columns         " + columns.size());
    int width = columns.stream().mapToInt(c -> c.name().length()).max().orElse(0) + 2;
    for (ColumnInfo c : columns) {
      VecDescription d = c.description();
      StringBuilder line = new StringBuilder("  ");
      line.append(c.name()).append(" ".repeat(width - c.name().length()));
      line.append(d.elementType())
          .append(", ")
          .append(d.elementSize())
          .append(d.elementSize() == 1 ? " byte" : " bytes")
          .append(", ")
          .append(InfoCommand.count(c.shownLength()))
          .append(" elements");
      if (c.length() < 0) {
        line.append(" (the column file's commit)");
      }
      if (d.isStruct()) {
        line.append(" {");
        List<String> fields = new ArrayList<>();
        for (Values.Column f : Values.columns(d)) {
          fields.add(f.type() + " " + f.name());
        }
        line.append(String.join(", ", fields)).append('}');
      }
      out.println(line);
    }
  }

  /** Prints the group as one JSON object with a {@code columns} list. */
  void printJson(PrintWriter out) throws IOException {
    try (JsonGenerator g = Json.writer(out, true)) {
      g.writeStartObject();
      g.writeStringField("group", dir.toString());
      g.writeStringField("magic", magic);
      g.writeStringField("dataVersion", dataVersion);
      g.writeNumberField("sequence", sequence);
      g.writeArrayFieldStart("columns");
      for (ColumnInfo c : columns) {
        VecDescription d = c.description();
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("type", d.elementType());
        g.writeNumberField("elementSize", d.elementSize());
        g.writeNumberField("length", c.shownLength());
        g.writeBooleanField("lengthAtGroupCommit", c.length() >= 0);
        if (d.isStruct()) {
          g.writeArrayFieldStart("fields");
          for (Values.Column f : Values.columns(d)) {
            g.writeStartObject();
            g.writeStringField("name", f.name());
            g.writeStringField("type", f.type());
            g.writeNumberField("offset", f.offset());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    out.println();
  }
}
