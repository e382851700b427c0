package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.FormatText.describeField;
import static io.mmapvec.internal.format.FormatText.escape;
import static io.mmapvec.internal.format.FormatText.quote;
import static io.mmapvec.internal.format.HeaderLayout.FIELD_NAME_BYTES;
import static io.mmapvec.internal.format.HeaderLayout.FIELD_OFF_OFFSET;
import static io.mmapvec.internal.format.HeaderLayout.FIELD_OFF_TYPE_CODE;

import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A struct element's field table as read from a file, read once: first compared with the fields the
 * application expects ({@link #differenceFrom}), then checked for sense ({@link #validate}).
 *
 * <p><b>Threads:</b> confined to the thread decoding the header.
 */
final class FieldTable {

  /**
   * One entry as read: the raw name cell, the name's length up to its NUL (32 if there is none),
   * the type code and the offset.
   */
  private record Entry(byte[] nameCell, int nameLength, int code, long offset) {
    ElementType type() {
      return ElementType.ofCode(code);
    }

    /** {@return the name up to its NUL, decoded leniently (for messages and comparison)} */
    String name() {
      return new String(nameCell, 0, nameLength, StandardCharsets.UTF_8);
    }

    String describe() {
      return describeField(name(), type(), code, offset);
    }
  }

  private final List<Entry> entries;

  private FieldTable(List<Entry> entries) {
    this.entries = entries;
  }

  /** Reads {@code count} entries (at most {@link HeaderFormat#MAX_FIELDS}) from the first page. */
  static FieldTable read(MemorySegment src, int count) {
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long base = HeaderLayout.fieldBase(i);
      byte[] cell = HeaderLayout.bytes(src, base, FIELD_NAME_BYTES);
      int n = 0;
      while (n < FIELD_NAME_BYTES && cell[n] != 0) {
        n++;
      }
      entries.add(
          new Entry(
              cell,
              n,
              HeaderLayout.u8(src, base + FIELD_OFF_TYPE_CODE),
              HeaderLayout.u32(src, base + FIELD_OFF_OFFSET)));
    }
    return new FieldTable(entries);
  }

  /**
   * {@return for a struct file opened as a struct, the first field that differs from {@code wanted}
   * or that only one side has, or null} Compared before the element size, which a differing field
   * usually changes too, so that the message names the field.
   */
  String differenceFrom(List<FieldLayout> wanted) {
    int count = entries.size();
    int common = Math.min(count, wanted.size());
    for (int i = 0; i < common; i++) {
      FieldLayout want = wanted.get(i);
      Entry e = entries.get(i);
      if (!e.name().equals(want.name()) || e.type() != want.type() || e.offset() != want.offset()) {
        return "field "
            + i
            + " is "
            + e.describe()
            + " in the file, "
            + describeField(want)
            + " in the record";
      }
    }
    if (count == wanted.size()) {
      return null;
    }
    String only =
        count > wanted.size()
            ? entries.get(common).describe() + " is only in the file"
            : describeField(wanted.get(common)) + " is only in the record";
    return "file holds struct elements with "
        + count
        + " fields, opened as struct with "
        + wanted.size()
        + " fields: field "
        + common
        + " "
        + only;
  }

  /**
   * {@return the fields, each checked for sense in an element of {@code elementSize} bytes}
   *
   * @throws VecFormatException ({@code ELEMENT_TYPE_MISMATCH}) naming the first invalid field
   */
  List<FieldLayout> validate(long elementSize, Path file) throws VecFormatException {
    List<FieldLayout> fields = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.nameLength() == FIELD_NAME_BYTES) {
        throw invalid(
            "field " + i + " name has no terminating NUL in its " + FIELD_NAME_BYTES + " bytes",
            file);
      }
      byte[] nameBytes = Arrays.copyOf(e.nameCell(), e.nameLength());
      if (!isStrictUtf8(nameBytes)) {
        throw invalid("field " + i + " name " + quote(nameBytes) + " is not UTF-8", file);
      }
      if (e.type() == null) {
        throw invalid(
            "field "
                + i
                + " '"
                + escape(e.name())
                + "' has type code "
                + e.code()
                + ", "
                + FormatText.knownCodes(),
            file);
      }
      FieldLayout field = new FieldLayout(e.name(), e.type(), e.offset());
      String problem = LayoutRules.fieldProblem(i, field, elementSize);
      if (problem != null) {
        throw invalid(problem, file);
      }
      fields.add(field);
    }
    return fields;
  }

  /** {@return the error for an element layout the format cannot describe} */
  static VecFormatException invalid(String problem, Path file) {
    return new VecFormatException(
        Reason.ELEMENT_TYPE_MISMATCH, "element layout in the file is invalid: " + problem, file);
  }

  private static boolean isStrictUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
