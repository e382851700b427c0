/**
 * Export of vector files to Parquet and Arrow IPC, and import of Parquet back into vector files:
 * {@link io.mmapvec.export.VecExport} with {@link io.mmapvec.export.ExportOptions}.
 *
 * <p>A separate module (jar {@code mmapvec-export}, automatic module name {@code
 * io.mmapvec.export}) so that mmapvec-core keeps no dependency; it reads and writes vector files
 * through the core's public API only.
 */
package io.mmapvec.export;
