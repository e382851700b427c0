package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.format.GroupManifestFormat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input for column groups: every manifest field damaged, columns missing, extra, truncated or
 * of another type, a directory that is not a group, and second writers (same JVM here; another
 * process in {@code GroupLockIT}). Every refusal is a typed exception naming the file; nothing is
 * repaired and no file is rewritten by a refused open.
 */
class GroupValidationTest {
  @TempDir Path tmp;
  Path dir;
  Path manifest;

  @BeforeEach
  void group() throws IOException {
    dir = tmp.resolve("g");
    manifest = dir.resolve("_manifest");
    try (VecGroup g = VecGroup.open(dir)) {
      LongVec a = g.longVec("a");
      DoubleVec b = g.doubleVec("b");
      for (int i = 0; i < 100; i++) {
        a.add(i);
        b.add(i);
      }
      g.sync();
      a.add(100);
      b.add(100);
    } // two commits: both slots valid
  }

  /**
   * {@return the writable open's failure} A read-only open (a live group reader, which validates on
   * its own path) must fail with the same reason and name the same file.
   */
  private VecFormatException refused(Reason reason) {
    VecFormatException e = catchThrowableOfType(VecFormatException.class, () -> VecGroup.open(dir));
    assertThat(e).as("open must fail with %s", reason).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    VecFormatException r =
        catchThrowableOfType(
            VecFormatException.class,
            () -> VecGroup.open(dir, VecOptions.defaults().withReadOnly(true)).close());
    assertThat(r).as("a read-only open must fail with %s too", reason).isNotNull();
    assertThat(r.reason()).as(r.getMessage()).isEqualTo(reason);
    assertThat(r.file()).isEqualTo(e.file());
    return e;
  }

  private void put(long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(manifest.toFile(), "rw")) {
      f.seek(offset);
      f.write(bytes);
    }
  }

  private static byte[] u16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array();
  }

  /** Rewrites the identity checksum so that a field change is seen by its own check. */
  private void fixIdentityCrc() throws IOException {
    byte[] m = Files.readAllBytes(manifest);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(m, 0, 60);
    put(
        60,
        ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) crc.getValue()).array());
  }

  @Test
  void eachIdentityFieldDamagedHasItsOwnReason() throws IOException {
    byte[] original = Files.readAllBytes(manifest);
    Map<String, Reason> cases = new TreeMap<>();
    put(8, "mmapvec\0".getBytes());
    assertThat(refused(Reason.NOT_A_GROUP).file()).isEqualTo(manifest);
    cases.put("signature", Reason.NOT_A_GROUP);
    Files.write(manifest, original);
    put(16, u16(0x3412));
    refused(Reason.BYTE_ORDER_MISMATCH);
    put(16, u16(0x7777));
    refused(Reason.BAD_BYTE_ORDER_MARKER);
    Files.write(manifest, original);
    put(18, u16(2));
    refused(Reason.UNSUPPORTED_FORMAT_VERSION);
    Files.write(manifest, original);
    put(0, "OTHERAPP".getBytes());
    refused(Reason.CHECKSUM_MISMATCH);
    fixIdentityCrc();
    refused(Reason.MAGIC_MISMATCH);
    Files.write(manifest, original);
    put(24, u16(3));
    fixIdentityCrc();
    refused(Reason.DATA_VERSION_MISMATCH);
    Files.write(manifest, original);
    put(32, new byte[] {1}); // creation time: covered by the checksum
    refused(Reason.CHECKSUM_MISMATCH);
    Files.write(manifest, original);
    assertThat(Files.readAllBytes(manifest)).isEqualTo(original);
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("a").size()).isEqualTo(101);
    }
  }

  @Test
  void theOptionsMustMatchTheManifest() throws IOException {
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> VecGroup.open(dir, VecOptions.defaults().withMagic("OTHERAPP")));
    assertThat(e.reason()).isEqualTo(Reason.MAGIC_MISMATCH);
    assertThat(e.file()).isEqualTo(manifest);
    e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> VecGroup.open(dir, VecOptions.defaults().withDataVersion(1, 0, 0)));
    assertThat(e.reason()).isEqualTo(Reason.DATA_VERSION_MISMATCH);
  }

  @Test
  void aDamagedNewestSlotFallsBackToTheOlderCommitAndBothDamagedIsRefused() throws IOException {
    byte[] m = Files.readAllBytes(manifest);
    long s0 = ByteBuffer.wrap(m, 4096, 8).order(ByteOrder.nativeOrder()).getLong();
    long s1 = ByteBuffer.wrap(m, 12288, 8).order(ByteOrder.nativeOrder()).getLong();
    long newest = s1 > s0 ? 12288 : 4096;
    long older = newest == 4096 ? 12288 : 4096;
    // Damage each field of the newest slot in turn: sequence, time, count, an entry's name, type,
    // size, length, the checksum itself. Each falls back to the older commit (100 rows).
    long[] offsets = {0, 8, 16, 64, 64 + 32, 64 + 36, 64 + 40, 60};
    for (long off : offsets) {
      Files.write(manifest, m);
      byte[] one = {(byte) (m[(int) (newest + off)] ^ 0x40)};
      put(newest + off, one);
      try (VecGroup g = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
        assertThat(g.longVec("a").size()).as("slot byte %d damaged", off).isEqualTo(100);
      }
    }
    Files.write(manifest, m);
    put(newest + 3, new byte[] {9});
    put(older + 3, new byte[] {9});
    VecFormatException e = refused(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("both group commit slots");
    Files.write(manifest, m);
    put(older, new byte[64]);
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("a").size()).isEqualTo(101);
    }
  }

  @Test
  void everyByteOfTheManifestHeadsFlippedGivesAnOpenOrAFormatError() throws IOException {
    byte[] m = Files.readAllBytes(manifest);
    int opened = 0;
    int refused = 0;
    int[][] ranges = {{0, 64}, {4096, 4096 + 64 + 2 * 64}, {12288, 12288 + 64 + 2 * 64}};
    for (int[] r : ranges) {
      for (int i = r[0]; i < r[1]; i++) {
        byte[] d = m.clone();
        d[i] ^= (byte) 0xA5;
        Files.write(manifest, d);
        try (VecGroup g = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
          long n = g.longVec("a").size();
          assertThat(n).as("byte %d", i).isIn(100L, 101L);
          opened++;
        } catch (VecFormatException e) {
          assertThat(e.file()).isEqualTo(manifest);
          refused++;
        }
      }
    }
    assertThat(opened).isPositive();
    assertThat(refused).isPositive();
  }

  @Test
  void aShortManifestIsTruncatedAndAnotherFileIsNotAGroup() throws IOException {
    byte[] m = Files.readAllBytes(manifest);
    for (int len : new int[] {0, 10, 64, 4096, GroupManifestFormat.MIN_FILE_BYTES - 1}) {
      Files.write(manifest, java.util.Arrays.copyOf(m, len));
      VecFormatException e = refused(Reason.TRUNCATED);
      assertThat(e.file()).isEqualTo(manifest);
    }
    Files.write(manifest, m);
  }

  @Test
  void aManifestWithoutThePublishedSequencePageOpensAndAWriterExtendsIt() throws IOException {
    byte[] m = Files.readAllBytes(manifest);
    assertThat(m).hasSize(GroupManifestFormat.FILE_BYTES);
    Files.write(manifest, java.util.Arrays.copyOf(m, GroupManifestFormat.MIN_FILE_BYTES));
    try (VecGroup r = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      assertThat(r.longVec("a").size()).isEqualTo(101);
      try (VecGroup w = VecGroup.open(dir)) {
        assertThat(Files.size(manifest)).isEqualTo(GroupManifestFormat.FILE_BYTES);
        w.longVec("a").add(7);
        w.sync();
        // The reader mapped the short manifest; it maps the published page once it exists.
        assertThat(r.refresh()).isEqualTo(w.sequence());
        assertThat(r.longVec("a").size()).isEqualTo(102);
      }
    }
  }

  @Test
  void aDirectoryThatIsNotAGroupIsRefused() throws IOException {
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    Files.writeString(plain.resolve("notes.txt"), "hello");
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> VecGroup.open(plain));
    assertThat(e.reason()).isEqualTo(Reason.NOT_A_GROUP);
    assertThat(e.file()).isEqualTo(plain);
    Path file = Files.writeString(tmp.resolve("file"), "x");
    e = catchThrowableOfType(VecFormatException.class, () -> VecGroup.open(file));
    assertThat(e.reason()).isEqualTo(Reason.NOT_A_GROUP);
    Path vecAsManifest = Files.createDirectory(tmp.resolve("v"));
    try (LongVec v = LongVec.open(vecAsManifest.resolve("_manifest"))) {
      v.add(1);
    }
    e = catchThrowableOfType(VecFormatException.class, () -> VecGroup.open(vecAsManifest));
    assertThat(e.reason()).isEqualTo(Reason.NOT_A_GROUP);
    assertThat(e.getMessage()).contains("not a column group manifest");
  }

  @Test
  void aMissingColumnFileIsNamed() throws IOException {
    Files.move(dir.resolve("b.vec"), tmp.resolve("b.vec"));
    VecFormatException e = refused(Reason.COLUMN_MISSING);
    assertThat(e.file()).isEqualTo(dir.resolve("b.vec"));
  }

  @Test
  void anExtraColumnFileIsNamed() throws IOException {
    try (LongVec x = LongVec.open(tmp.resolve("x.vec"))) {
      x.add(1);
    }
    Files.move(tmp.resolve("x.vec"), dir.resolve("x.vec"));
    VecFormatException e = refused(Reason.COLUMN_EXTRA);
    assertThat(e.file()).isEqualTo(dir.resolve("x.vec"));
    assertThat(dir.resolve("x.vec")).as("never deleted").exists();
  }

  @Test
  void aTruncatedColumnFileIsNamed() throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("a.vec").toFile(), "rw")) {
      f.setLength(65536 + 8 * 50);
    }
    VecFormatException e = refused(Reason.TRUNCATED);
    assertThat(e.file()).isEqualTo(dir.resolve("a.vec"));
  }

  @Test
  void aColumnShorterThanTheManifestSaysIsNamed() throws IOException {
    // The column file is a valid vector of 3 elements, but the manifest says 101.
    Files.delete(dir.resolve("a.vec"));
    try (LongVec a = LongVec.open(tmp.resolve("a.vec"))) {
      a.addAll(new long[] {1, 2, 3});
    }
    Files.move(tmp.resolve("a.vec"), dir.resolve("a.vec"));
    VecFormatException e = refused(Reason.TRUNCATED);
    assertThat(e.file()).isEqualTo(dir.resolve("a.vec"));
    assertThat(e.getMessage()).contains("older than the group");
  }

  @Test
  void aColumnFileOfAnotherTypeIsNamed() throws IOException {
    Files.delete(dir.resolve("b.vec"));
    try (LongVec b = LongVec.open(tmp.resolve("b.vec"))) {
      for (int i = 0; i < 101; i++) {
        b.add(i);
      }
    }
    Files.move(tmp.resolve("b.vec"), dir.resolve("b.vec"));
    VecFormatException e = refused(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.file()).isEqualTo(dir.resolve("b.vec"));
  }

  @Test
  void aSecondWriterInThisJvmIsRefused() throws IOException {
    try (VecGroup g = VecGroup.open(dir)) {
      assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
      // A read-only group open is a live reader next to the writer (LiveGroupReaderTest).
      try (VecGroup r = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
        assertThat(r.longVec("a").size()).isEqualTo(101);
        assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
      }
      assertThatThrownBy(() -> LongVec.open(dir.resolve("a.vec")))
          .isInstanceOf(VecLockedException.class);
      // A column opened alone read-only is a live reader of that file: it shows the column's own
      // last commit, next to the group writer (which it neither blocks nor is blocked by).
      try (LongVec alone =
          LongVec.open(dir.resolve("a.vec"), VecOptions.defaults().withReadOnly(true))) {
        assertThat(alone.size()).isEqualTo(VecFiles.describe(dir.resolve("a.vec")).size());
      }
      assertThat(g.longVec("a").size()).isEqualTo(101);
    }
    try (VecGroup r1 = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      // Readers never keep a writer out; the writer then keeps a second writer out.
      try (VecGroup w = VecGroup.open(dir)) {
        assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
        assertThat(w.longVec("a").size()).isEqualTo(101);
      }
      assertThat(r1.longVec("a").size()).isEqualTo(101);
    }
  }

  @Test
  void aColumnFileOpenedAloneForWritingIsRefusedEvenWithoutAGroupWriter() throws IOException {
    VecLockedException e =
        catchThrowableOfType(VecLockedException.class, () -> LongVec.open(dir.resolve("a.vec")));
    assertThat(e.file()).isEqualTo(dir.resolve("a.vec"));
    assertThat(e.getMessage()).contains("column group");
    assertThatThrownBy(() -> DoubleVec.open(dir.resolve("new.vec")))
        .isInstanceOf(VecLockedException.class);
    assertThat(dir.resolve("new.vec")).doesNotExist();
    try (LongVec ro =
        LongVec.open(dir.resolve("a.vec"), VecOptions.defaults().withReadOnly(true))) {
      assertThat(ro.get(100)).isEqualTo(100);
    }
  }
}
