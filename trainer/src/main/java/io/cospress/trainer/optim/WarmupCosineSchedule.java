package io.cospress.trainer.optim;

/**
 * Linear warm-up from zero to the peak rate, then cosine decay to the final rate. A pure function
 * of the step, so the schedule position is restored exactly by restoring the step count.
 */
public record WarmupCosineSchedule(double peak, double last, long warmupSteps, long totalSteps) {

  public double rateAt(long step) {
    if (warmupSteps > 0 && step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return last + 0.5 * (peak - last) * (1 + Math.cos(Math.PI * progress));
  }
}
