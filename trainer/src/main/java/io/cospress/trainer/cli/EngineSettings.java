package io.cospress.trainer.cli;

/**
 * DJL settings that must be in place before the engine loads. Thread counts follow the CPUs this
 * JVM may use (the container's CPU limit, not the node's cores), unless set explicitly.
 */
final class EngineSettings {

  private EngineSettings() {}

  static void applyDefaults() {
    setIfAbsent("ai.djl.offline", "true");
    int cpus = Runtime.getRuntime().availableProcessors();
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(cpus));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
