package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.event.RunEvents;
import io.cospress.operator.metrics.OperatorMetrics;
import io.cospress.operator.plan.RunAction;
import io.cospress.operator.plan.RunAction.CountRestart;
import io.cospress.operator.plan.RunAction.CountTransition;
import io.cospress.operator.plan.RunAction.CreateAttempt;
import io.cospress.operator.plan.RunAction.EmitEvent;
import io.cospress.operator.plan.RunAction.StopAttempt;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a plan's actions in order. It decides nothing: the one judgement left here is that a
 * Job already there under the attempt's deterministic name is the one a previous operator instance
 * created. A failed request stops the plan and names the action in the exception.
 */
final class ActionExecutor {

  private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);

  private final KubernetesClient client;
  private final RunEvents events;
  private final OperatorMetrics metrics;

  ActionExecutor(KubernetesClient client, RunEvents events, OperatorMetrics metrics) {
    this.client = client;
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * @param created told about each Job this call created, as the API server returned it
   */
  void execute(DistillationRun run, List<RunAction> actions, Consumer<Job> created) {
    for (RunAction action : actions) {
      try {
        executeOne(run, action, created);
      } catch (KubernetesClientException e) {
        throw new ActionFailedException(describe(run, action), e);
      }
    }
  }

  private void executeOne(DistillationRun run, RunAction action, Consumer<Job> created) {
    if (action instanceof CreateAttempt create) {
      try {
        created.accept(client.resource(create.job()).create());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // A previous operator instance created it before it went down: the name is deterministic.
        LOG.info("Job {} already exists", create.job().getMetadata().getName());
      }
    } else if (action instanceof StopAttempt stop) {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(run.getMetadata().getNamespace())
          .withName(stop.jobName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .withGracePeriod(stop.gracePeriodSeconds())
          .delete();
    } else if (action instanceof EmitEvent event) {
      events.record(run, event.type().apiValue(), event.reason(), event.message());
    } else if (action instanceof CountRestart restart) {
      metrics.restart(run, restart.cause());
    } else if (action instanceof CountTransition transition) {
      metrics.transition(run, transition.from(), transition.to());
    } else {
      throw new IllegalArgumentException("no executor for " + action);
    }
  }

  private static String describe(DistillationRun run, RunAction action) {
    if (action instanceof CreateAttempt create) {
      return "creating Job "
          + create.job().getMetadata().getName()
          + " for attempt "
          + create.attempt();
    }
    if (action instanceof StopAttempt stop) {
      return "deleting Job " + stop.jobName() + " to suspend the run";
    }
    return action.getClass().getSimpleName() + " for run " + run.getMetadata().getName();
  }
}
