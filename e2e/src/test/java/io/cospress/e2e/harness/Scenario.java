package io.cospress.e2e.harness;

/**
 * A scenario class: it works in its own namespace, which {@link ScenarioExtension} dumps when a
 * test fails (runs, pods, events, logs) so CI shows what the cluster did.
 */
public interface Scenario {

  /** The namespace the scenario's runs live in. */
  String namespace();
}
