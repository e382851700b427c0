package io.mmapvec;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * The files that the readers outside Java (the Python package in {@code python/}, the C header in
 * {@code c/}) are tested against: written here by the library, with what was written kept in {@code
 * expected.json} beside them, so every reader is checked against the Java side, never against
 * itself.
 *
 * <p>Each element is described as one line: a primitive's value, or a record's components separated
 * by spaces; floating-point values as their raw bits (so NaN and -0.0 compare exactly), booleans as
 * 0/1, chars as their code unit.
 */
final class ForeignReaders {
  private ForeignReaders() {}

  static final String MAGIC = "INTEROP1";
  static final VecOptions OPTIONS = VecOptions.defaults().withMagic(MAGIC).withDataVersion(1, 2, 3);

  /** One fixture file and what it holds. */
  record Fixture(String file, String elementType, List<String> lines, long olderSize) {}

  /** Writes every fixture into {@code dir}, with {@code expected.json}, and returns them. */
  static List<Fixture> write(Path dir) throws IOException {
    List<Fixture> out = new ArrayList<>();
    out.add(primitive(dir, "byte", 300, i -> (byte) (i * 7), ForeignReaders::writeBytes));
    out.add(primitive(dir, "short", 300, i -> (short) (i * -1234), ForeignReaders::writeShorts));
    out.add(primitive(dir, "int", 300, i -> (int) (i * 1_000_003), ForeignReaders::writeInts));
    out.add(primitive(dir, "long", 300, ForeignReaders::longValue, ForeignReaders::writeLongs));
    out.add(primitive(dir, "float", 300, ForeignReaders::floatValue, ForeignReaders::writeFloats));
    out.add(
        primitive(dir, "double", 300, ForeignReaders::doubleValue, ForeignReaders::writeDoubles));
    out.add(empty(dir));
    out.add(records(dir, "all8", All8.class, all8s()));
    out.add(ticksWithARewrite(dir));
    ForeignOrder.copy(dir.resolve("long.vec"), dir.resolve("long.other-order.vec"));
    ForeignOrder.copy(dir.resolve("all8.vec"), dir.resolve("all8.other-order.vec"));
    Files.writeString(dir.resolve("expected.json"), json(out, groups(dir)), StandardCharsets.UTF_8);
    return out;
  }

  /**
   * Two column groups: {@code ticks-group}, a {@link VecGroup} of three columns committed twice,
   * and {@code ticks-columnar}, a {@link ColumnarVec} of ticks. {@return each group's columns, name
   * to lines}
   */
  static java.util.Map<String, java.util.Map<String, List<String>>> groups(Path dir)
      throws IOException {
    java.util.Map<String, java.util.Map<String, List<String>>> out =
        new java.util.LinkedHashMap<>();
    java.util.Map<String, List<String>> columns = new java.util.LinkedHashMap<>();
    List<String> time = new ArrayList<>();
    List<String> price = new ArrayList<>();
    List<String> qty = new ArrayList<>();
    try (VecGroup g = VecGroup.open(dir.resolve("ticks-group"), OPTIONS)) {
      LongVec t = g.longVec("time");
      DoubleVec p = g.doubleVec("price");
      IntVec q = g.intVec("qty");
      for (int k = 0; k < 1000; k++) {
        t.add(1_700_000_000_000L + k);
        p.add(100 + k * 0.25);
        q.add(k % 17);
        time.add(line(1_700_000_000_000L + k));
        price.add(line(100 + k * 0.25));
        qty.add(line(k % 17));
        if (k == 499) {
          g.sync();
        }
      }
    }
    columns.put("time", time);
    columns.put("price", price);
    columns.put("qty", qty);
    out.put("ticks-group", columns);
    java.util.Map<String, List<String>> columnar = new java.util.LinkedHashMap<>();
    columnar.put("time", new ArrayList<>());
    columnar.put("price", new ArrayList<>());
    columnar.put("qty", new ArrayList<>());
    try (ColumnarVec<Tick> c =
        ColumnarVec.open(dir.resolve("ticks-columnar"), Tick.class, OPTIONS)) {
      for (int k = 0; k < 300; k++) {
        Tick t = new Tick(1_600_000_000_000L + k, k * 1.5, -k);
        c.add(t);
        columnar.get("time").add(line(t.time()));
        columnar.get("price").add(line(t.price()));
        columnar.get("qty").add(line(t.qty()));
      }
    }
    out.put("ticks-columnar", columnar);
    return out;
  }

  static long longValue(long i) {
    return i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : i * 0x1234_5678_9ABCL;
  }

  static float floatValue(long i) {
    return switch ((int) i) {
      case 0 -> Float.NaN;
      case 1 -> -0.0f;
      case 2 -> Float.NEGATIVE_INFINITY;
      default -> i / 3f;
    };
  }

  static double doubleValue(long i) {
    return switch ((int) i) {
      case 0 -> Double.NaN;
      case 1 -> -0.0;
      case 2 -> Double.MIN_VALUE;
      default -> i * Math.PI;
    };
  }

  private interface Writer {
    void write(Path file, int count) throws IOException;
  }

  /** Half the elements, a sync (the older commit), then the rest, committed by close. */
  private static Fixture primitive(
      Path dir, String type, int count, LongFunction<Object> value, Writer writer)
      throws IOException {
    Path file = dir.resolve(type + ".vec");
    writer.write(file, count);
    List<String> lines = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      lines.add(line(value.apply(i)));
    }
    return new Fixture(file.getFileName().toString(), type, lines, count / 2);
  }

  private static void writeBytes(Path file, int count) throws IOException {
    try (ByteVec v = ByteVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add((byte) (i * 7));
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static void writeShorts(Path file, int count) throws IOException {
    try (ShortVec v = ShortVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add((short) (i * -1234));
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static void writeInts(Path file, int count) throws IOException {
    try (IntVec v = IntVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add(i * 1_000_003);
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static void writeLongs(Path file, int count) throws IOException {
    try (LongVec v = LongVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add(longValue(i));
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static void writeFloats(Path file, int count) throws IOException {
    try (FloatVec v = FloatVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add(floatValue(i));
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static void writeDoubles(Path file, int count) throws IOException {
    try (DoubleVec v = DoubleVec.open(file, OPTIONS)) {
      for (int i = 0; i < count; i++) {
        v.add(doubleValue(i));
        if (i + 1 == count / 2) {
          v.sync();
        }
      }
    }
  }

  private static Fixture empty(Path dir) throws IOException {
    Path file = dir.resolve("empty.vec");
    try (LongVec v = LongVec.open(file, OPTIONS)) {
      v.reserve(1000); // capacity, but nothing committed
    }
    return new Fixture("empty.vec", "long", List.of(), -1);
  }

  private static <R extends Record> Fixture records(
      Path dir, String name, Class<R> type, List<R> records) throws IOException {
    Path file = dir.resolve(name + ".vec");
    try (StructVec<R> v = StructVec.open(file, type, OPTIONS)) {
      v.addAll(records.subList(0, records.size() / 2));
      v.sync();
      for (R r : records.subList(records.size() / 2, records.size())) {
        v.add(r);
      }
    }
    List<String> lines = new ArrayList<>();
    for (R r : records) {
      List<String> parts = new ArrayList<>();
      for (RecordComponent c : type.getRecordComponents()) {
        try {
          parts.add(line(c.getAccessor().invoke(r)));
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      lines.add(String.join(" ", parts));
    }
    return new Fixture(file.getFileName().toString(), "struct", lines, records.size() / 2);
  }

  /** Every component type at its extremes (NaN, -0.0, MIN/MAX), then ordinary values. */
  static List<All8> all8s() {
    List<All8> out = new ArrayList<>();
    out.add(new All8((byte) 0, (short) 0, '\0', 0, 0, 0f, 0.0, false));
    out.add(
        new All8(
            Byte.MIN_VALUE,
            Short.MIN_VALUE,
            Character.MAX_VALUE,
            Integer.MIN_VALUE,
            Long.MIN_VALUE,
            Float.NEGATIVE_INFINITY,
            -0.0,
            true));
    out.add(
        new All8(
            Byte.MAX_VALUE,
            Short.MAX_VALUE,
            '\u20ac',
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            Float.MIN_VALUE,
            Double.NaN,
            false));
    for (int k = 0; k < 100; k++) {
      out.add(
          new All8(
              (byte) (k * 7),
              (short) (k * -1234),
              (char) ('A' + k),
              k * 1_000_003,
              k * 0x1234_5678_9ABCL,
              k / 3f,
              k * Math.PI,
              k % 3 == 0));
    }
    return out;
  }

  /**
   * A thousand ticks written like {@link #records}, then one rewritten in place and the last one
   * removed, so the readers see a file whose newest commit shrank it and changed an element.
   */
  private static Fixture ticksWithARewrite(Path dir) throws IOException {
    List<Tick> ticks = new ArrayList<>();
    for (int k = 0; k < 1000; k++) {
      ticks.add(new Tick(1_700_000_000_000L + k, 100 + k * 0.25, k % 17));
    }
    Fixture written = records(dir, "ticks", Tick.class, ticks);
    try (StructVec<Tick> v = StructVec.open(dir.resolve(written.file()), Tick.class, OPTIONS)) {
      Tick t = ticks.get(7);
      v.set(7, new Tick(t.time(), 2.75, t.qty()));
      v.removeLast();
    }
    List<String> lines = new ArrayList<>(written.lines().subList(0, 999));
    lines.set(7, line(ticks.get(7).time()) + " " + line(2.75) + " " + line(ticks.get(7).qty()));
    return new Fixture(written.file(), "struct", lines, -1);
  }

  /**
   * Flips a byte of the newest commit slot's size, so its checksum fails, checks that the library
   * now reads the older slot, and returns that slot's size.
   */
  static int damageNewestSlot(Path file) throws IOException {
    VecDescription before = VecFiles.describe(file);
    long at = 4096L * (before.active().slot() + 1) + 8;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
      ch.write(b, at);
    }
    VecDescription after = VecFiles.describe(file);
    if (!after.active().equals(before.other().orElseThrow())) {
      throw new AssertionError("the library did not fall back to the older slot: " + after);
    }
    return (int) after.size();
  }

  /** {@return one value as the readers print it} */
  static String line(Object v) {
    return switch (v) {
      case Float f -> Integer.toUnsignedString(Float.floatToRawIntBits(f));
      case Double d -> Long.toUnsignedString(Double.doubleToRawLongBits(d));
      case Boolean b -> b ? "1" : "0";
      case Character ch -> Integer.toString(ch);
      default -> v.toString();
    };
  }

  private static String json(
      List<Fixture> fixtures, java.util.Map<String, java.util.Map<String, List<String>>> groups) {
    StringBuilder s = new StringBuilder("{\n  \"magic\": \"" + MAGIC + "\",\n");
    s.append("  \"dataVersion\": [1, 2, 3],\n  \"fixtures\": [\n");
    for (int k = 0; k < fixtures.size(); k++) {
      Fixture f = fixtures.get(k);
      Path file = Path.of(f.file());
      s.append("    {\"file\": \"").append(file).append("\", \"elementType\": \"");
      s.append(f.elementType()).append("\", \"olderSize\": ").append(f.olderSize());
      s.append(", \"lines\": [");
      s.append(f.lines().stream().map(l -> '"' + l + '"').collect(Collectors.joining(", ")));
      s.append("]}").append(k + 1 < fixtures.size() ? ",\n" : "\n");
    }
    s.append("  ],\n  \"otherOrder\": {\"long.other-order.vec\": \"long.vec\",");
    s.append(" \"all8.other-order.vec\": \"all8.vec\"},\n");
    s.append("  \"groups\": {");
    s.append(
        groups.entrySet().stream()
            .map(
                g ->
                    "\""
                        + g.getKey()
                        + "\": {"
                        + g.getValue().entrySet().stream()
                            .map(
                                c ->
                                    "\""
                                        + c.getKey()
                                        + "\": ["
                                        + c.getValue().stream()
                                            .map(l -> '"' + l + '"')
                                            .collect(Collectors.joining(", "))
                                        + "]")
                            .collect(Collectors.joining(", "))
                        + "}")
            .collect(Collectors.joining(", ")));
    s.append("},\n");
    s.append("  \"nativeOrder\": \"").append(orderName(ByteOrder.nativeOrder())).append("\"\n}\n");
    return s.toString();
  }

  static String orderName(ByteOrder order) {
    return order == ByteOrder.LITTLE_ENDIAN ? "little" : "big";
  }

  /**
   * A copy of a vector file in the other byte order, made by swapping every multi-byte header field
   * and every element field by the layout that {@link VecFiles#describe} reports: the test's own
   * small converter, independent of the readers under test. The checksums are recomputed over the
   * swapped bytes, as a writer of that order computes them.
   */
  static final class ForeignOrder {
    private ForeignOrder() {}

    static void copy(Path source, Path target) throws IOException {
      VecDescription d = VecFiles.describe(source);
      byte[] bytes = Files.readAllBytes(source);
      ByteBuffer b = ByteBuffer.wrap(bytes);
      // The identity block: marker, format version, data offset, data version, sizes, page size,
      // creation time, flags.
      for (int at : new int[] {16, 18, 24, 26, 28}) {
        swap(b, at, 2);
      }
      for (int at : new int[] {20, 32, 36, 40, 44, 56}) {
        swap(b, at, 4);
      }
      swap(b, 48, 8);
      int fieldCount = d.fields().size();
      for (int k = 0; k < fieldCount; k++) {
        swap(b, 64 + 48 * k + 36, 4);
      }
      java.util.zip.CRC32C identity = new java.util.zip.CRC32C();
      identity.update(bytes, 0, 60);
      identity.update(bytes, 64, 48 * fieldCount);
      putForeign(b, 60, (int) identity.getValue());
      for (int slot : new int[] {4096, 8192}) {
        boolean empty = true;
        for (int k = 0; k < 64; k++) {
          empty &= bytes[slot + k] == 0;
        }
        if (empty) {
          continue;
        }
        swap(b, slot, 8);
        swap(b, slot + 8, 8);
        swap(b, slot + 16, 8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, slot, 60);
        putForeign(b, slot + 60, (int) crc.getValue());
      }
      long size = d.elementSize();
      for (long i = 0; i < d.size(); i++) {
        long base = d.dataOffset() + i * size;
        if (d.isStruct()) {
          for (FieldDescription f : d.fields()) {
            swap(b, (int) (base + f.offset()), width(f.type()));
          }
        } else {
          swap(b, (int) base, (int) size);
        }
      }
      Files.write(target, bytes);
    }

    private static int width(String type) {
      return switch (type) {
        case "byte", "boolean" -> 1;
        case "short", "char" -> 2;
        case "int", "float" -> 4;
        default -> 8;
      };
    }

    private static void putForeign(ByteBuffer b, int at, int value) {
      ByteOrder other =
          ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
              ? ByteOrder.BIG_ENDIAN
              : ByteOrder.LITTLE_ENDIAN;
      b.duplicate().order(other).putInt(at, value);
    }

    private static void swap(ByteBuffer b, int at, int width) {
      for (int lo = at, hi = at + width - 1; lo < hi; lo++, hi--) {
        byte t = b.get(lo);
        b.put(lo, b.get(hi));
        b.put(hi, t);
      }
    }
  }
}
