package io.mmapvec.internal.storage;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event for one sync that wrote something; its duration is the sync's latency. */
@Name("io.mmapvec.Sync")
@Label("mmapvec Sync")
@Category({"mmapvec"})
@Description(
    "A vector made its changes durable: data msync, fdatasync if the file grew, slot write")
@StackTrace(false)
final class SyncEvent extends Event {
  @Label("File")
  String path;

  @Label("Data Bytes")
  @DataAmount
  long dataBytes;

  @Label("Committed Size")
  @Description("Elements committed by this sync")
  long committedSize;

  @Label("File Size Changed")
  boolean fileSizeChanged;

  @Label("Trigger")
  @Description("explicit, close, everyWrites, every or shrink (SyncTrigger)")
  String trigger;
}
