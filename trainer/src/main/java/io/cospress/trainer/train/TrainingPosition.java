package io.cospress.trainer.train;

/**
 * Where training stands: what a checkpoint records and a resume restores. Data order and
 * augmentation are pure functions of (seed, epoch, batch), and the learning rate of the step.
 *
 * @param epoch the epoch in progress (the number of completed epochs when {@code batch} is 0)
 * @param batch the next batch within {@code epoch}
 * @param step optimisation steps taken
 */
record TrainingPosition(int epoch, int batch, long step) {

  static final TrainingPosition START = new TrainingPosition(0, 0, 0);

  /** After the step on batch {@code batchIndex} of this epoch. */
  TrainingPosition afterStep(int batchIndex) {
    return new TrainingPosition(epoch, batchIndex + 1, step + 1);
  }

  /** At the start of the next epoch. */
  TrainingPosition nextEpoch() {
    return new TrainingPosition(epoch + 1, 0, step);
  }
}
