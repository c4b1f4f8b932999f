package io.cospress.trainer.config;

import java.util.Objects;

/**
 * One split of the dataset.
 *
 * @param path IDX: the images file; imageFolder: the directory of class sub-directories
 * @param labels IDX: the labels file, or null where labels are never read
 * @param sha256 expected SHA-256 of the IDX images file, or null
 * @param limit use at most this many images (a seeded, stratified subset), or null for all
 */
public record SplitConfig(String path, String labels, String sha256, Integer limit) {

  public SplitConfig {
    Objects.requireNonNull(path, "path");
  }
}
