package io.cospress.trainer.eval;

/**
 * OOD detection quality of one embedding model.
 *
 * @param auroc area under the ROC curve, in-distribution positive; 1 is perfect, 0.5 is chance
 * @param fpr95 fraction of OOD images accepted when 95% of in-distribution images are accepted;
 *     lower is better (see {@link OodDetection#fprAtTpr})
 */
public record OodReport(double auroc, double fpr95) {}
