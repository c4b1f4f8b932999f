package io.cospress.trainer.data;

/** A source of 1×1 images whose single pixel is the image index modulo 256. */
class LabelsOnlySource implements ImageSource {

  private final int[] labels;
  private final int numClasses;

  LabelsOnlySource(int[] labels, int numClasses) {
    this.labels = labels;
    this.numClasses = numClasses;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public DecodedImage image(int i) {
    return Fixtures.planar(1, 1, 1, i % 256);
  }

  @Override
  public String describe() {
    return "labels-only test source of " + labels.length;
  }
}
