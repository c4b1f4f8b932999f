package io.cospress.trainer.checkpoint;

import java.util.Map;

/**
 * Where training stands when a checkpoint is written. Data order and augmentation are pure
 * functions of (seed, epoch, batch), and the learning rate of the step, so these numbers restore
 * them exactly.
 *
 * @param epoch the epoch in progress (or the number of completed epochs when {@code batch} is 0)
 * @param batch the next batch index within {@code epoch}
 * @param step optimisation steps taken
 * @param seed the run's seed, checked on resume
 * @param studentKnnAccuracy latest evaluation, used to keep the best checkpoint; may be null
 * @param files SHA-256 of every file of the checkpoint, to detect corruption
 * @param recipe the {@link RunRecipe} it was trained with; null in checkpoints written before
 *     recipes were recorded
 */
public record CheckpointState(
    int epoch,
    int batch,
    long step,
    long seed,
    Double studentKnnAccuracy,
    String time,
    Map<String, String> files,
    Map<String, String> recipe) {}
