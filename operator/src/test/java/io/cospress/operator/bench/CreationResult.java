package io.cospress.operator.bench;

import java.util.Map;

/**
 * What one creation phase measured: {@code runs} runs created, until the operator has written its
 * last request for them.
 *
 * @param createSeconds how long the client took to create the runs
 * @param lastRunToLastJobSeconds from the API server completing the last run's create to it
 *     completing the operator's last Job create (audit log timestamps); NaN if not all Jobs came
 * @param lastRunToLastStatusSeconds same, to the operator's last status write
 * @param jobs Jobs the operator created
 * @param operatorCpuSeconds operator CPU from the first create until the operator went quiet
 * @param controlPlaneCpuSeconds etcd and kube-apiserver CPU over the same time
 * @param requestsByVerb the operator's requests (leases excluded) by verb and resource
 * @param runsWithRepeatedStatusWrites runs whose status the operator wrote more than once
 * @param repeatedEvents events that repeat an earlier one on the same run (type, reason, message)
 * @param eventsCreated events the operator created
 * @param failedRequests operator requests the API server answered with 4xx/5xx, by code
 * @param reconciles reconciliations JOSDK timed
 * @param reconcileP50Millis median reconciliation time
 * @param reconcileP99Millis 99th percentile reconciliation time
 * @param heapUsedBytes heap in use when the operator went quiet
 * @param heapLiveBytes heap in use after a full collection, as scraped just after it: includes what
 *     the scrape itself allocated (tens of MiB with many runs)
 * @param heapHistogramBytes what the class histogram counts at its own full collection: the live
 *     heap; NaN if it could not be read
 * @param heapCommittedBytes heap the JVM had reserved after the collection
 * @param heapMaxBytes the heap limit
 * @param rssBytes resident set size after the collection
 * @param peakRssBytes largest resident set size so far
 * @param runPhaseSeries series of cospress_run_phase in one scrape
 * @param scrapeBytes size of one /metrics response
 */
record CreationResult(
    int runs,
    double createSeconds,
    double lastRunToLastJobSeconds,
    double lastRunToLastStatusSeconds,
    int jobs,
    double operatorCpuSeconds,
    double controlPlaneCpuSeconds,
    Map<String, Long> requestsByVerb,
    long runsWithRepeatedStatusWrites,
    long repeatedEvents,
    long eventsCreated,
    Map<Integer, Long> failedRequests,
    double reconciles,
    double reconcileP50Millis,
    double reconcileP99Millis,
    double heapUsedBytes,
    double heapLiveBytes,
    double heapHistogramBytes,
    double heapCommittedBytes,
    double heapMaxBytes,
    long rssBytes,
    long peakRssBytes,
    long runPhaseSeries,
    long scrapeBytes) {

  long operatorWrites() {
    return requestsByVerb.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("get ") && !e.getKey().startsWith("list "))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
