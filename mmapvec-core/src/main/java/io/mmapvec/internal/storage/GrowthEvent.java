package io.mmapvec.internal.storage;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event for one growth (or shrink) of a vector's file; its duration includes any remap. */
@Name("io.mmapvec.Growth")
@Label("mmapvec Growth")
@Category({"mmapvec"})
@Description(
    "A vector's file changed size: fallocate (or zero-fill) on growth, ftruncate on shrink")
@StackTrace(false)
final class GrowthEvent extends Event {
  @Label("File")
  String path;

  @Label("Old File Size")
  @DataAmount
  long oldBytes;

  @Label("New File Size")
  @DataAmount
  long newBytes;

  @Label("Remapped")
  @Description("Whether the file had to be mapped anew")
  boolean remapped;
}
