package io.cospress.operator.job;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels on the objects the operator creates for a run.
 *
 * <p>The {@link CosPressConstants#LABEL_RUN} value is the run's name, shortened with a hash by
 * {@link KubernetesNames#labelValue} when the name is longer than a label value may be; selectors
 * must therefore use {@link #runLabelValue} rather than the raw name.
 */
public final class TrainerLabels {

  /** Selects everything the operator created; its informers watch only these objects. */
  public static final String MANAGED_SELECTOR =
      CosPressConstants.LABEL_MANAGED_BY + "=" + CosPressConstants.MANAGED_BY_VALUE;

  private TrainerLabels() {}

  /** The value of the run label for {@code run}. */
  public static String runLabelValue(DistillationRun run) {
    return KubernetesNames.labelValue(run.getMetadata().getName());
  }

  /** Labels shared by everything created for the run, independent of the attempt. */
  public static Map<String, String> forRun(DistillationRun run) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CosPressConstants.LABEL_RUN, runLabelValue(run));
    labels.put(CosPressConstants.LABEL_MANAGED_BY, CosPressConstants.MANAGED_BY_VALUE);
    return labels;
  }

  /** Labels of one attempt's Job and pod. */
  public static Map<String, String> forAttempt(DistillationRun run, int attempt) {
    Map<String, String> labels = forRun(run);
    labels.put(CosPressConstants.LABEL_ATTEMPT, Integer.toString(attempt));
    return labels;
  }
}
