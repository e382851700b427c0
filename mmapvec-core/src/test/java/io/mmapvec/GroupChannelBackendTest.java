package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Column groups on the {@code FileChannel} fallback: the directory is created and published with
 * {@code Files.move} (no {@code renameat2}), columns commit, added columns get their final names at
 * close, and the group and a record vector reopen.
 */
class GroupChannelBackendTest {
  @TempDir Path tmp;

  @Test
  void aGroupWorksOnTheFallback() throws IOException {
    Backend b = Backend.channelBackend();
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir, VecOptions.defaults(), b)) {
      g.longVec("a").add(1);
      g.doubleVec("b").add(2);
      g.sync();
      assertThat(g.names()).containsExactly("a", "b");
      g.drop("b");
    }
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList())
        .containsExactly("_manifest", "a.vec");
    try (VecGroup g = VecGroup.open(dir, VecOptions.defaults(), b)) {
      assertThat(g.longVec("a").get(0)).isEqualTo(1);
    }
    Path rows = tmp.resolve("rows");
    try (ColumnarVec<Tick> v = ColumnarVec.open(rows, Tick.class, VecOptions.defaults(), null, b)) {
      v.add(new Tick(1, 2, 3));
    }
    try (ColumnarVec<Tick> v =
        ColumnarVec.open(rows, Tick.class, VecOptions.defaults().withReadOnly(true), null, b)) {
      assertThat(v.get(0)).isEqualTo(new Tick(1, 2, 3));
    }
  }
}
