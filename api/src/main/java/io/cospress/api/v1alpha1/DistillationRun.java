package io.cospress.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A CosPress feature-distillation run: a frozen teacher, a student to train, data, and the training
 * recipe. The same object is applied to a cluster (reconciled by the operator into a trainer Job)
 * or run locally with {@code cospress-trainer run -f run.yaml}.
 */
@Group(CosPressConstants.GROUP)
@Version(CosPressConstants.VERSION)
@Kind(CosPressConstants.KIND)
@Plural(CosPressConstants.PLURAL)
@Singular(CosPressConstants.SINGULAR)
@ShortNames(CosPressConstants.SHORT_NAME)
@Categories(CosPressConstants.CATEGORY)
// Columns in this order, state first and Age last as kubectl users expect; -o wide adds the
// priority-1 ones after Age. CrdConventions keeps this order in the generated CRD.
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.epochs",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Loss",
    jsonPath = ".status.metrics.loss",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Student kNN",
    jsonPath = ".status.metrics.studentKnnAccuracy",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Restarts",
    jsonPath = ".status.restarts.total",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Teacher kNN",
    jsonPath = ".status.metrics.teacherKnnAccuracy",
    type = AdditionalPrinterColumn.Type.NUMBER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "ETA Seconds",
    jsonPath = ".status.progress.etaSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
public class DistillationRun extends CustomResource<DistillationRunSpec, DistillationRunStatus>
    implements Namespaced {

  @Override
  protected DistillationRunStatus initStatus() {
    return new DistillationRunStatus();
  }
}
