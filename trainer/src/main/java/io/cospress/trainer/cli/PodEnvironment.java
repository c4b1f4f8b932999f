package io.cospress.trainer.cli;

import io.cospress.api.v1alpha1.CosPressConstants;
import java.util.Map;

/**
 * What the operator tells a trainer pod through its environment: which run it works for (its status
 * is reported there) and whether manifest paths are confined to their volumes. Empty locally. The
 * variable names are shared with the operator in the api module.
 *
 * @param runName the run's name, or null outside a pod
 * @param runNamespace the run's namespace, or null outside a pod
 */
record PodEnvironment(String runName, String runNamespace, boolean confinePaths) {

  static PodEnvironment of(Map<String, String> environment) {
    return new PodEnvironment(
        environment.get(CosPressConstants.ENV_RUN_NAME),
        environment.get(CosPressConstants.ENV_RUN_NAMESPACE),
        Boolean.parseBoolean(environment.get(CosPressConstants.ENV_CONFINE_PATHS)));
  }

  /** True in a trainer pod the operator started. */
  boolean inPod() {
    return runName != null;
  }

  /** True when the run's status subresource can be reported to. */
  boolean reportsToRun() {
    return runName != null && runNamespace != null;
  }
}
