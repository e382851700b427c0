package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import io.mmapvec.StructRecords.TickBid;
import io.mmapvec.StructRecords.TickFlags;
import io.mmapvec.StructRecords.TickFloatPrice;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VecGroup} and {@link ColumnarVec}: what they promise, one test per promise, and the
 * pending states of column add and drop that a crash can leave.
 */
class VecGroupTest {
  @TempDir Path tmp;

  @AfterEach
  void noListener() {
    CrashHooks.setListener(null);
  }

  @Test
  void columnsOfEveryKindCommitTogetherAndReopen() throws IOException {
    Path dir = tmp.resolve("ticks");
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(Files.isDirectory(dir)).isTrue();
      assertThat(g.names()).isEmpty();
      LongVec time = g.longVec("time");
      DoubleVec price = g.doubleVec("price");
      StructVec<Tick> quotes = g.structVec("quotes", Tick.class);
      ByteVec b = g.byteVec("b");
      ShortVec s = g.shortVec("s");
      IntVec i = g.intVec("i");
      FloatVec f = g.floatVec("f");
      for (int r = 0; r < 1000; r++) {
        time.add(r);
        price.add(r * 0.5);
        quotes.add(new Tick(r, r, r));
        b.add((byte) r);
        s.add((short) r);
        i.add(r);
        f.add(r);
      }
      assertThat(g.names()).as("adds are committed by the next commit").isEmpty();
      long before = g.sequence();
      g.sync();
      assertThat(g.sequence()).isEqualTo(before + 1);
      assertThat(g.names()).containsExactly("time", "price", "quotes", "b", "s", "i", "f");
      assertThat(g.longVec("time")).isSameAs(time);
      assertThat(time.path())
          .as("a column added in this session keeps its pending name until close")
          .isEqualTo(dir.resolve(".add.time.vec"));
      g.sync();
      assertThat(g.sequence()).as("nothing changed: no manifest write").isEqualTo(before + 1);
    }
    try (VecGroup g = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      assertThat(g.longVec("time").get(999)).isEqualTo(999);
      assertThat(g.doubleVec("price").get(10)).isEqualTo(5.0);
      assertThat(g.structVec("quotes", Tick.class).get(7)).isEqualTo(new Tick(7, 7, 7));
      assertThat(g.floatVec("f").size()).isEqualTo(1000);
    }
    assertThat(dir.resolve("time.vec")).as("close gave the column its final name").exists();
    // Each column is an ordinary vector file, readable alone.
    try (LongVec alone =
        LongVec.open(dir.resolve("time.vec"), VecOptions.defaults().withReadOnly(true))) {
      assertThat(alone.size()).isEqualTo(1000);
    }
  }

  @Test
  void syncAndCloseOfAColumnCommitTheGroup() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      LongVec a = g.longVec("a");
      DoubleVec b = g.doubleVec("b");
      a.add(1);
      b.add(2);
      a.sync();
      assertThat(g.names()).containsExactly("a", "b");
      a.add(3);
      b.close(); // commits, stays open
      assertThat(b.size()).isEqualTo(1);
      b.add(4);
      g.sync();
    }
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("a").toArray()).containsExactly(1, 3);
      assertThat(g.doubleVec("b").toArray()).containsExactly(2, 4);
      LongVec a = g.longVec("a");
      g.close();
      assertThatThrownBy(a::size).isInstanceOf(VecClosedException.class);
      assertThatThrownBy(g::names).isInstanceOf(VecClosedException.class);
      assertThatThrownBy(() -> g.longVec("a")).isInstanceOf(VecClosedException.class);
    }
  }

  @Test
  void dropAndAddArePartOfTheNextCommit() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
      g.longVec("b").add(2);
      g.sync();
      LongVec b = g.longVec("b");
      assertThat(g.drop("b")).isTrue();
      assertThat(g.drop("nope")).isFalse();
      assertThatThrownBy(b::size).isInstanceOf(VecClosedException.class);
      assertThat(g.names()).containsExactly("a", "b");
      assertThatThrownBy(() -> g.longVec("b")).isInstanceOf(IllegalStateException.class);
      g.sync();
      assertThat(g.names()).containsExactly("a");
      assertThat(dir.resolve("b.vec")).doesNotExist();
      g.doubleVec("b").add(5); // a new column of another type under the old name
      g.longVec("c");
      assertThat(g.drop("c")).as("an uncommitted add").isTrue();
      g.sync();
      assertThat(g.names()).containsExactly("a", "b");
    }
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.doubleVec("b").toArray()).containsExactly(5.0);
      assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("_manifest", "a.vec", "b.vec");
    }
  }

  @Test
  void aColumnSlotAheadOfTheManifestIsCutBackToTheManifest() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      LongVec a = g.longVec("a");
      LongVec b = g.longVec("b");
      for (int i = 0; i < 5; i++) {
        a.add(i);
        b.add(i);
      }
      g.sync();
      for (int i = 5; i < 10; i++) {
        a.add(i);
        b.add(i);
      }
      // Fail the commit after column a's own slot is durable, before the manifest: a crash there.
      CrashHooks.setListener(
          (point, file) -> {
            if (point == CrashPoint.SYNC_AFTER_SLOT_SYNC
                && file.getFileName().toString().endsWith("a.vec")) {
              throw new IOException("injected");
            }
          });
      assertThatThrownBy(g::sync).hasMessageContaining("injected");
      CrashHooks.setListener(null);
      assertThatThrownBy(g::sync).hasMessageContaining("earlier group commit failed");
      assertThatThrownBy(g::close).isInstanceOf(IOException.class);
    }
    // The failed close left the column under its pending name; the manifest lists it.
    try (LongVec alone =
        LongVec.open(dir.resolve(".add.a.vec"), VecOptions.defaults().withReadOnly(true))) {
      assertThat(alone.size()).as("a's own slot got ahead").isEqualTo(10);
    }
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("a").size()).isEqualTo(5);
      assertThat(g.longVec("b").size()).isEqualTo(5);
    }
    try (LongVec alone =
        LongVec.open(dir.resolve("a.vec"), VecOptions.defaults().withReadOnly(true))) {
      assertThat(alone.size()).as("the writer's close committed the cut").isEqualTo(5);
    }
  }

  @Test
  void aColumnOfAnotherTypeIsRefusedNamingItsFile() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.doubleVec("price");
      g.structVec("q", Tick.class);
      g.sync();
      VecFormatException e =
          catchThrowableOfType(VecFormatException.class, () -> g.longVec("price"));
      assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
      assertThat(e.file()).isEqualTo(dir.resolve(".add.price.vec"));
      e = catchThrowableOfType(VecFormatException.class, () -> g.structVec("q", TickBid.class));
      assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
      assertThat(e.getMessage()).contains("bid");
      assertThatThrownBy(() -> g.longVec("bad name")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> g.longVec("")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void readOnlyGroupsDoNotCreate() throws IOException {
    Path dir = tmp.resolve("g");
    VecOptions ro = VecOptions.defaults().withReadOnly(true);
    assertThatThrownBy(() -> VecGroup.open(dir, ro))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
    }
    try (VecGroup g = VecGroup.open(dir, ro)) {
      assertThatThrownBy(() -> g.longVec("b"))
          .isInstanceOf(java.nio.file.NoSuchFileException.class);
      assertThatThrownBy(() -> g.longVec("a").add(2))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> g.drop("a")).isInstanceOf(UnsupportedOperationException.class);
      g.sync();
    }
  }

  // ------------------------------------------------------------------------- pending add / drop

  @Test
  void anAddTheManifestListsIsRolledForwardAndOneItDoesNotIsUndone() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
      g.longVec("b").add(2);
    }
    // A crash after the manifest listed b, before b's file got its final name:
    Files.move(dir.resolve("b.vec"), dir.resolve(".add.b.vec"));
    try (VecGroup g = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      assertThat(g.longVec("b").get(0)).isEqualTo(2);
      assertThat(dir.resolve(".add.b.vec")).as("read-only: untouched").exists();
    }
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("b").get(0)).isEqualTo(2);
    }
    assertThat(dir.resolve("b.vec")).exists();
    // A crash before the manifest listed c: c was never committed.
    try (LongVec c = LongVec.open(tmp.resolve("c.vec"))) {
      c.add(3);
    }
    Files.move(tmp.resolve("c.vec"), dir.resolve(".add.c.vec"));
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.names()).containsExactly("a", "b");
    }
    assertThat(dir.resolve(".add.c.vec")).doesNotExist();
  }

  @Test
  void aDropTheManifestStillListsIsUndoneAndACommittedOneFinished() throws IOException {
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
      g.longVec("b").add(2);
    }
    // A crash after b was renamed for its drop, before the manifest dropped it:
    Files.move(dir.resolve("b.vec"), dir.resolve(".drop.b.vec"));
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("b").get(0)).isEqualTo(2);
      g.drop("b");
    }
    assertThat(dir.resolve("b.vec")).doesNotExist();
    // A crash after the manifest dropped x, before its file was deleted:
    try (LongVec x = LongVec.open(tmp.resolve("x.vec"))) {
      x.add(3);
    }
    Files.move(tmp.resolve("x.vec"), dir.resolve(".drop.x.vec"));
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.names()).containsExactly("a");
    }
    assertThat(dir.resolve(".drop.x.vec")).doesNotExist();
  }

  // ------------------------------------------------------------------------- ColumnarVec

  @Test
  void recordsStoredColumnWiseKeepEveryColumnTheSameLength() throws IOException {
    Path dir = tmp.resolve("ticks");
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) {
      assertThat(v.names()).containsExactly("time", "price", "qty");
      for (int i = 0; i < 100; i++) {
        v.add(new Tick(i, i * 0.25, i * 3));
      }
      v.insertAt(0, new Tick(-1, -1, -1));
      assertThat(v.removeAt(0)).isEqualTo(new Tick(-1, -1, -1));
      v.set(5, new Tick(50, 5, 500));
      assertThat(v.get(5)).isEqualTo(new Tick(50, 5, 500));
      assertThat(v.swapRemoveAt(0)).isEqualTo(new Tick(0, 0, 0));
      assertThat(v.get(0)).isEqualTo(new Tick(99, 99 * 0.25, 297));
      assertThat(v.removeLast()).isEqualTo(new Tick(98, 98 * 0.25, 294));
      assertThat(v.size()).isEqualTo(98);
      v.resize(100, new Tick(7, 7, 7));
      assertThat(v.get(99)).isEqualTo(new Tick(7, 7, 7));
      v.truncate(10);
      v.addAll(List.of(new Tick(1, 1, 1), new Tick(2, 2, 2)));
      assertThat(v.size()).isEqualTo(12);

      DoubleVec price = v.column("price", DoubleVec.class);
      assertThat(price.size()).isEqualTo(12);
      price.set(1, 42.0); // zero-copy: the record sees it
      assertThat(v.get(1).price()).isEqualTo(42.0);
      assertThat(v.column("price")).isSameAs(price);
      assertThatThrownBy(() -> price.add(1.0)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.truncate(1)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(price::removeLast).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.insertAt(0, 1))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.removeAt(0)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.swapRemoveAt(0))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.addAll(new double[] {1}))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> price.resize(3, 0))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(price::clear).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(price::shrinkToFit).isInstanceOf(UnsupportedOperationException.class);
      assertThat(price.size()).isEqualTo(12);
      assertThatThrownBy(() -> v.column("qty", DoubleVec.class))
          .isInstanceOf(ClassCastException.class)
          .hasMessageContaining("IntVec");
      assertThatThrownBy(() -> v.column("nope")).isInstanceOf(IllegalArgumentException.class);
      price.sync(); // commits the group
      v.shrinkToFit();
      assertThat(v.get(11)).isEqualTo(new Tick(2, 2, 2));
    }
    try (ColumnarVec<Tick> v =
        ColumnarVec.open(dir, Tick.class, VecOptions.defaults().withReadOnly(true))) {
      assertThat(v.size()).isEqualTo(12);
      assertThat(v.get(1).price()).isEqualTo(42.0);
      assertThat(v.toList()).hasSize(12);
      assertThatThrownBy(() -> v.add(new Tick(0, 0, 0)))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void everyComponentTypeRoundTrips() throws IOException {
    Path dir = tmp.resolve("all");
    All8 r = new All8((byte) 1, (short) 2, 'c', 4, 5L, 6f, 7.0, true);
    try (ColumnarVec<All8> v = ColumnarVec.open(dir, All8.class)) {
      v.add(r);
      assertThatThrownBy(() -> v.column("z")).isInstanceOf(UnsupportedOperationException.class);
    }
    try (ColumnarVec<All8> v = ColumnarVec.open(dir, All8.class)) {
      assertThat(v.get(0)).isEqualTo(r);
      assertThat(v.column("l", LongVec.class).get(0)).isEqualTo(5L);
    }
  }

  @Test
  void aRecordOfAnotherLayoutIsRefusedNamingTheFirstDifferingComponent() throws IOException {
    Path dir = tmp.resolve("ticks");
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) {
      v.add(new Tick(1, 2, 3));
    }
    assertMismatch(
        dir,
        TickFloatPrice.class,
        "component 1 is 'price' double in the group, 'price' float in the record");
    assertMismatch(dir, TickBid.class, "component 1 is 'price' double in the group, 'bid' double");
    assertMismatch(dir, TickFlags.class, "component 3 is absent in the group, 'flags' int");
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) {
      assertThat(v.get(0)).isEqualTo(new Tick(1, 2, 3));
    }
  }

  private static void assertMismatch(Path dir, Class<? extends Record> type, String message) {
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> ColumnarVec.open(dir, type));
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).contains(message);
  }

  @Test
  void columnsOfDifferentLengthsAreNotARecordVector() throws IOException {
    Path dir = tmp.resolve("ticks");
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) {
      v.add(new Tick(1, 2, 3));
    }
    try (VecGroup g = VecGroup.open(dir)) {
      g.intVec("qty").add(4);
    }
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> ColumnarVec.open(dir, Tick.class));
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(e.getMessage()).contains("equally long");
  }

  @Test
  void everyWritesCommitsWholeRows() throws IOException {
    Path dir = tmp.resolve("ticks");
    VecOptions o = VecOptions.defaults().withSyncPolicy(SyncPolicy.everyWrites(3));
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class, o)) {
      for (int i = 0; i < 7; i++) {
        v.add(new Tick(i, i, i));
      }
      assertThat(manifestLengths(dir)).containsExactly(6L, 6L, 6L);
    }
    assertThat(manifestLengths(dir)).containsExactly(7L, 7L, 7L);
    try (VecGroup g = VecGroup.open(dir, o)) {
      LongVec a = g.longVec("time");
      for (int i = 0; i < 4; i++) {
        a.add(i);
      }
      assertThat(manifestLengths(dir))
          .as("a group commit in the third write to one column")
          .containsExactly(10L, 7L, 7L);
    }
  }

  @Test
  void everyCommitsTheGroupInTheBackground() throws Exception {
    Path dir = tmp.resolve("ticks");
    VecOptions o =
        VecOptions.defaults().withSyncPolicy(SyncPolicy.every(java.time.Duration.ofMillis(2)));
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class, o)) {
      for (int i = 0; i < 5; i++) {
        v.add(new Tick(i, i, i));
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!manifestLengths(dir).equals(List.of(5L, 5L, 5L)) && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(manifestLengths(dir)).containsExactly(5L, 5L, 5L);
      // Keep writing while the flusher commits: every commit it makes has whole rows.
      for (int i = 5; i < 20_000; i++) {
        v.add(new Tick(i, i, i));
        if (i % 1000 == 0) {
          List<Long> l = manifestLengths(dir);
          assertThat(l.get(1)).isEqualTo(l.get(0));
          assertThat(l.get(2)).isEqualTo(l.get(0));
        }
      }
    }
  }

  /** {@return the committed sizes the manifest holds now, read without any lock} */
  static List<Long> manifestLengths(Path dir) throws IOException {
    byte[] bytes = Files.readAllBytes(dir.resolve("_manifest"));
    return io.mmapvec.internal.format.GroupManifestFormat.decode(
            java.lang.foreign.MemorySegment.ofArray(bytes), bytes.length, null, null, dir)
        .active()
        .columns()
        .stream()
        .map(c -> c.size())
        .toList();
  }
}
