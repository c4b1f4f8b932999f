package io.cospress.trainer.train;

import ai.djl.Device;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;

/**
 * What one device runs of a step: its teacher, the student and head copies its slice of the batch
 * goes through. The first replica's head is the master head; its student is the master student
 * unless the step computes in bfloat16 (then both students are working copies, see {@link
 * io.cospress.trainer.model.TrainableParameter#copies}).
 */
public record Replica(
    Device device, TorchScriptModel teacher, Student student, CompressionHead head) {}
