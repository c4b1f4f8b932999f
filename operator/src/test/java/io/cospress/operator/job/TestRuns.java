package io.cospress.operator.job;

import io.cospress.api.schema.SchemaDefaults;
import io.cospress.api.v1alpha1.DatasetFormat;
import io.cospress.api.v1alpha1.DatasetSpec;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.SplitSpec;
import io.cospress.api.v1alpha1.StudentSpec;
import io.cospress.api.v1alpha1.TeacherSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Runs as the API server would hand them to the operator: schema defaults filled in. */
public final class TestRuns {

  public static final String NAMESPACE = "vision";
  public static final String UID = "5f1c7a52-9d0e-4c1b-8a3e-2b6f0d4e9a17";

  private TestRuns() {}

  public static DistillationRun run(String name) {
    DistillationRun run = new DistillationRun();
    run.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NAMESPACE)
            .withUid(UID)
            .withGeneration(4L)
            .withResourceVersion("81234")
            .addToLabels("team", "perception")
            .addToAnnotations("note", "nightly")
            .build());
    run.setSpec(spec());
    run.getStatus().setObservedGeneration(3L);
    return run;
  }

  private static DistillationRunSpec spec() {
    TeacherSpec teacher = new TeacherSpec();
    teacher.setModel("models/teacher-vit-fmnist.pt");
    teacher.setSha256("a".repeat(64));
    StudentSpec student = new StudentSpec();
    student.setModel("models/student-vit-tiny.pt");
    SplitSpec train = new SplitSpec();
    train.setPath("data/train-images-idx3-ubyte.gz");
    train.setLabels("data/train-labels-idx1-ubyte.gz");
    DatasetSpec dataset = new DatasetSpec();
    dataset.setFormat(DatasetFormat.IDX);
    dataset.setTrain(train);
    dataset.setImageSize(28);
    dataset.setChannels(1);
    DistillationRunSpec given = new DistillationRunSpec();
    given.setTeacher(teacher);
    given.setStudent(student);
    given.setDataset(dataset);
    DistillationRunSpec spec = SchemaDefaults.of(given);
    spec.getResources().setCpu("4");
    spec.getResources().setMemory("8Gi");
    return spec;
  }
}
