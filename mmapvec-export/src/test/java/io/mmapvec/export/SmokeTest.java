package io.mmapvec.export;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void smoke() throws Exception {
    for (Fixtures.Kind k : Fixtures.Kind.values()) {
      Path f = Fixtures.create(dir.resolve(k + ".vec"), k, 1000);
      VecExport.toParquet(f, dir.resolve(k + ".parquet"), ExportOptions.defaults().withRowGroupRows(300));
      VecExport.toArrow(f, dir.resolve(k + ".arrow"), ExportOptions.defaults().withRowGroupRows(300));
      VecExport.fromParquet(dir.resolve(k + ".parquet"), dir.resolve(k + ".back.vec"), b -> {});
      System.out.println(k + " ok " + java.nio.file.Files.size(dir.resolve(k + ".parquet")));
    }
  }
}
