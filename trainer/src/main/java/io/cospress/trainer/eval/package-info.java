/**
 * Pure-Java evaluation metrics over embedding matrices: weighted kNN classification, OOD detection
 * and teacher-student similarity preservation (docs/evaluation.md).
 *
 * <p>Embeddings are {@code float[][]} with one row per image; labels are {@code int[]} class
 * indices. Nothing here depends on DJL, so metrics can be tested and reused without an engine.
 */
package io.cospress.trainer.eval;
