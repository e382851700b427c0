package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.HeaderBytes.READ_BYTES;
import static io.mmapvec.internal.format.HeaderBytes.SLOT0;
import static io.mmapvec.internal.format.HeaderBytes.SLOT1;
import static io.mmapvec.internal.format.HeaderBytes.TICK;
import static io.mmapvec.internal.format.HeaderBytes.fixIdentityCrc;
import static io.mmapvec.internal.format.HeaderBytes.fixSlotCrc;
import static io.mmapvec.internal.format.HeaderBytes.fresh;
import static io.mmapvec.internal.format.HeaderBytes.identity;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random bytes, random field values and random layouts: {@link HeaderFormat#decode} and {@link
 * HeaderFormat#decodeAny} throw nothing but {@link VecFormatException}, and whatever they accept
 * makes sense. Each case draws from its own seed, named in the failure message so that a failure
 * replays.
 */
class HeaderFormatFuzzTest {
  private static final Path FILE = Path.of("fuzz.vec");
  private static final Identity LONGS = identity(ElementLayout.of(ElementType.LONG));
  private static final Identity TICKS = identity(TICK);

  /** A change to a header: {@code width} bytes of {@code value} in native order at {@code at}. */
  record Mutation(int at, int width, long value) {
    void applyTo(MemorySegment s) {
      for (int i = 0; i < width && at + i < s.byteSize(); i++) {
        int shift =
            ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
        s.set(JAVA_BYTE, at + i, (byte) (value >>> shift));
      }
    }
  }

  private static final long SEED = 0x6D6D6170766563L;

  /** Runs {@code body} for {@code tries} seeds; a failure names its seed. */
  private static void forSeeds(int tries, SeededCase body) throws Exception {
    for (int i = 0; i < tries; i++) {
      long seed = SEED + i;
      try {
        body.run(new SplittableRandom(seed));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("case with seed " + seed + " failed", e);
      }
    }
  }

  private interface SeededCase {
    void run(SplittableRandom r) throws Exception;
  }

  @Test
  void randomBytesOnlyEverGiveVecFormatException() throws Exception {
    forSeeds(
        2000,
        r -> {
          byte[] bytes = new byte[r.nextInt(READ_BYTES + 1)];
          for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) r.nextInt();
          }
          assertOnlyFormatErrors(MemorySegment.ofArray(bytes), fileSize(r), LONGS);
        });
  }

  @Test
  void mutatedHeadersOnlyEverGiveVecFormatException() throws Exception {
    Identity[] headers = {LONGS, TICKS, identity(ElementLayout.of(ElementType.BOOLEAN))};
    forSeeds(
        5000,
        r -> {
          Identity id = headers[r.nextInt(headers.length)];
          MemorySegment s = fresh(id);
          HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 3, 0));
          int count = 1 + r.nextInt(8);
          for (int i = 0; i < count; i++) {
            mutation(r).applyTo(s);
          }
          if (r.nextBoolean()) {
            // Make the damage look like a foreign writer's deliberate bytes, so it reaches every
            // check.
            fixIdentityCrc(s);
            fixSlotCrc(s, SLOT0);
            fixSlotCrc(s, SLOT1);
          }
          assertOnlyFormatErrors(s, fileSize(r), id);
        });
  }

  @Test
  void everyWritableStructLayoutReadsBackUnchanged() throws Exception {
    forSeeds(
        1000,
        r -> {
          ElementLayout layout = struct(r);
          DataVersion version =
              new DataVersion(r.nextInt(0x10000), r.nextInt(0x10000), r.nextInt(0x10000));
          // Any length whose file fits the 2^46-byte limit (issue 13 refuses larger files).
          long maxLength =
              (HeaderFormat.MAX_FILE_BYTES - HeaderFormat.DATA_OFFSET) / layout.elementSize();
          long length = r.nextLong(Math.min(1L << 40, maxLength) + 1);
          Identity id = new Identity("FUZZ-ID!", version, layout);
          MemorySegment s = fresh(id);
          HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, length, 0));
          long fileSize = HeaderFormat.DATA_OFFSET + length * layout.elementSize();
          Header h = HeaderFormat.decode(s, fileSize, id, FILE);
          assertThat(h.identity()).isEqualTo(id);
          assertThat(h.size()).isEqualTo(length);
          assertThat(HeaderFormat.decodeAny(s, fileSize, FILE)).isEqualTo(h);
        });
  }

  /**
   * Decodes with and without an expected identity; anything else than a header or a {@link
   * VecFormatException} fails. An accepted header must be writable again and fit in the file.
   */
  private static void assertOnlyFormatErrors(MemorySegment s, long fileSize, Identity expected) {
    for (Identity asked : new Identity[] {expected, null}) {
      Header h;
      try {
        h =
            asked == null
                ? HeaderFormat.decodeAny(s, fileSize, FILE)
                : HeaderFormat.decode(s, fileSize, asked, FILE);
      } catch (VecFormatException e) {
        assertThat(e.reason()).isNotNull();
        assertThat(e.getMessage()).endsWith("(" + FILE + ")");
        continue;
      }
      if (asked != null) {
        assertThat(h.identity()).isEqualTo(asked);
      }
      assertThatCode(() -> HeaderFormat.checkIdentity(h.identity())).doesNotThrowAnyException();
      assertThat(h.formatVersion()).isEqualTo(HeaderFormat.FORMAT_VERSION);
      assertThat(h.activeSlot()).isBetween(0, 1);
      assertThat(h.active().sequence()).isPositive();
      assertThat(h.size()).isNotNegative();
      assertThat(
              Math.multiplyHigh(h.size(), h.identity().layout().elementSize()) == 0
                  && HeaderFormat.DATA_OFFSET + h.size() * h.identity().layout().elementSize()
                      <= fileSize)
          .as("committed data fits in the file")
          .isTrue();
      if (h.other() != null) {
        assertThat(h.other().sequence()).isPositive().isLessThanOrEqualTo(h.active().sequence());
      }
    }
  }

  /** Small sizes, sizes around the data offset, or any size. */
  private static long fileSize(SplittableRandom r) {
    return switch (r.nextInt(3)) {
      case 0 -> r.nextLong(READ_BYTES + 2);
      case 1 -> HeaderFormat.DATA_OFFSET - 1 + r.nextLong(1002);
      default -> r.nextLong(Long.MAX_VALUE);
    };
  }

  private static final int[][] FIELDS = {
    {0, 8},
    {8, 8},
    {16, 2},
    {18, 2},
    {20, 4},
    {24, 2},
    {26, 2},
    {28, 2},
    {30, 1},
    {31, 1},
    {32, 4},
    {36, 4},
    {40, 4},
    {44, 4},
    {48, 8},
    {56, 4},
    {60, 4},
    {64, 8},
    {64 + 31, 1},
    {64 + 32, 1},
    {64 + 36, 4},
    {112 + 32, 1},
    {112 + 36, 4},
    {160 + 32, 1},
    {160 + 36, 4},
    {SLOT0, 8},
    {SLOT0 + 8, 8},
    {SLOT0 + 60, 4},
    {SLOT1, 8},
    {SLOT1 + 8, 8},
    {SLOT1 + 60, 4}
  };

  /** Mostly whole fields of the identity block, field table and slots; sometimes any byte. */
  private static Mutation mutation(SplittableRandom r) {
    int[] f = FIELDS[r.nextInt(FIELDS.length)];
    return switch (r.nextInt(3)) {
      case 0 -> new Mutation(f[0], f[1], r.nextLong());
      case 1 -> new Mutation(f[0], f[1], r.nextLong(101));
      default -> new Mutation(r.nextInt(READ_BYTES), 1, r.nextLong());
    };
  }

  private static final char[] NAME_CHARS =
      "abcdefghijklmnopqrstuvwxyz\u00e0\u00e9\u00ff_$\u4e2d".toCharArray();

  /** Valid struct layouts: random primitive fields, naturally aligned or packed, in any order. */
  private static ElementLayout struct(SplittableRandom r) {
    ElementType[] primitives = {
      ElementType.BYTE, ElementType.SHORT, ElementType.CHAR, ElementType.INT,
      ElementType.LONG, ElementType.FLOAT, ElementType.DOUBLE, ElementType.BOOLEAN
    };
    int count = 1 + r.nextInt(HeaderFormat.MAX_FIELDS);
    boolean packed = r.nextBoolean();
    int padding = r.nextInt(65);
    List<FieldLayout> fields = new ArrayList<>();
    long offset = 0;
    long alignment = 1;
    for (int i = 0; i < count; i++) {
      ElementType t = primitives[r.nextInt(primitives.length)];
      if (!packed) {
        offset = (offset + t.byteSize() - 1) / t.byteSize() * t.byteSize();
        alignment = Math.max(alignment, t.byteSize());
      }
      StringBuilder name = new StringBuilder();
      for (int c = 1 + r.nextInt(9); c > 0; c--) {
        name.append(NAME_CHARS[r.nextInt(NAME_CHARS.length)]);
      }
      fields.add(new FieldLayout(name.append(i).toString(), t, offset));
      offset += t.byteSize();
    }
    long size = (offset + padding + alignment - 1) / alignment * alignment;
    return new ElementLayout(ElementType.STRUCT, size, alignment, fields);
  }
}
