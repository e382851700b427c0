package io.mmapvec.internal.format;

import io.mmapvec.DataVersion;

/**
 * What a file is: the application's magic, its data version and the element layout. Written once at
 * create; on open the file's identity must equal the one the application asks for.
 *
 * @param magic eight printable ASCII characters
 * @param dataVersion the application's data version
 * @param layout the element layout
 */
public record Identity(String magic, DataVersion dataVersion, ElementLayout layout) {}
