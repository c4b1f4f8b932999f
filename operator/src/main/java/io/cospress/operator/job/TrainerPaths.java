package io.cospress.operator.job;

/**
 * Where things live inside a trainer pod. The root filesystem is read-only, so everything the
 * trainer writes goes to one of the writable volumes below.
 */
public final class TrainerPaths {

  /** Mount point of the run's manifest ConfigMap (read-only). */
  public static final String MANIFEST_DIR = "/etc/cospress";

  /** Key of the manifest in the ConfigMap, and its file name under {@link #MANIFEST_DIR}. */
  public static final String MANIFEST_FILE_NAME = "run.yaml";

  public static final String MANIFEST_FILE = MANIFEST_DIR + "/" + MANIFEST_FILE_NAME;

  /**
   * The trainer's {@code --output} directory: the root of the checkpoint volume. The manifest's
   * checkpoint path is relative to it, and so are its teacher, student and dataset paths when the
   * run names a claim (the claim holds models and data next to the checkpoints). The trainer writes
   * nothing of its own here: its lock, status.json, checkpoints and final student all go under the
   * run's checkpoint path, so several runs can share one claim (a sweep), each with its own path.
   */
  public static final String OUTPUT_DIR = "/var/lib/cospress/output";

  /** Writable scratch space: Java temp files and the native-library cache. */
  public static final String TMP_DIR = "/tmp";

  /** Where DJL extracts libtorch; it cannot use its default under the read-only home dir. */
  public static final String DJL_CACHE_DIR = TMP_DIR + "/djl";

  private TrainerPaths() {}
}
