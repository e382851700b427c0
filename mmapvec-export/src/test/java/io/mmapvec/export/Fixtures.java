package io.mmapvec.export;

import io.mmapvec.ByteVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Vector files for the export tests: every element type, special values first, then random. */
final class Fixtures {
  private Fixtures() {}

  /** Every component type, with a padding hole after {@code b} and after {@code z}. */
  public record AllTypes(byte b, long l, short s, char c, int i, float f, double d, boolean z) {}

  /** The vector kinds the tests export. */
  enum Kind {
    BYTE,
    SHORT,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    RECORD
  }

  static final VecOptions OPTIONS =
      VecOptions.defaults().withMagic("EXPORTTS").withDataVersion(3, 1, 4);

  /**
   * Creates a vector file of {@code kind} with {@code n} elements: the special values of the type
   * first (as many as fit), then values from a seeded random generator; synced and closed.
   */
  static Path create(Path file, Kind kind, int n) throws IOException {
    SplittableRandom random = new SplittableRandom(n * 31L + kind.ordinal());
    switch (kind) {
      case BYTE -> {
        try (ByteVec v = ByteVec.open(file, OPTIONS)) {
          byte[] special = {Byte.MIN_VALUE, Byte.MAX_VALUE, 0, -1};
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : (byte) random.nextInt());
          }
        }
      }
      case SHORT -> {
        try (ShortVec v = ShortVec.open(file, OPTIONS)) {
          short[] special = {Short.MIN_VALUE, Short.MAX_VALUE, 0, -1};
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : (short) random.nextInt());
          }
        }
      }
      case INT -> {
        try (IntVec v = IntVec.open(file, OPTIONS)) {
          int[] special = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1};
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : random.nextInt());
          }
        }
      }
      case LONG -> {
        try (LongVec v = LongVec.open(file, OPTIONS)) {
          long[] special = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : random.nextLong());
          }
        }
      }
      case FLOAT -> {
        try (FloatVec v = FloatVec.open(file, OPTIONS)) {
          float[] special = {
            -0.0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            Float.MAX_VALUE,
            0.0f
          };
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : (float) (random.nextGaussian() * 1e6));
          }
        }
      }
      case DOUBLE -> {
        try (DoubleVec v = DoubleVec.open(file, OPTIONS)) {
          double[] special = {
            -0.0,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            0.0
          };
          for (int k = 0; k < n; k++) {
            v.add(k < special.length ? special[k] : random.nextGaussian() * 1e12);
          }
        }
      }
      case RECORD -> {
        try (StructVec<AllTypes> v = StructVec.open(file, AllTypes.class, OPTIONS)) {
          for (int k = 0; k < n; k++) {
            v.add(
                k == 0
                    ? new AllTypes(
                        Byte.MIN_VALUE,
                        Long.MIN_VALUE,
                        Short.MIN_VALUE,
                        Character.MAX_VALUE,
                        Integer.MIN_VALUE,
                        Float.NaN,
                        -0.0,
                        true)
                    : new AllTypes(
                        (byte) random.nextInt(),
                        random.nextLong(),
                        (short) random.nextInt(),
                        (char) random.nextInt(),
                        random.nextInt(),
                        (float) random.nextGaussian(),
                        random.nextDouble() < 0.01 ? Double.NaN : random.nextGaussian() * 1e9,
                        random.nextBoolean()));
          }
        }
      }
    }
    return file;
  }

  /** {@return the vector at {@code file}, read-only} */
  static Vec openReadOnly(Path file, Kind kind) throws IOException {
    VecOptions o = OPTIONS.withReadOnly(true);
    return switch (kind) {
      case BYTE -> ByteVec.open(file, o);
      case SHORT -> ShortVec.open(file, o);
      case INT -> IntVec.open(file, o);
      case LONG -> LongVec.open(file, o);
      case FLOAT -> FloatVec.open(file, o);
      case DOUBLE -> DoubleVec.open(file, o);
      case RECORD -> StructVec.open(file, AllTypes.class, o);
    };
  }
}
