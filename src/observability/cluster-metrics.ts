import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

// Several web processes on one port (node:cluster): a scrape of /metrics reaches one worker, which
// asks the primary; the primary collects every worker's registry (prom-client's AggregatorRegistry:
// counters and histograms summed, gauges by their `aggregator`) and answers with the text.

const REQUEST = 't5g:metrics-request';
const ANSWER = 't5g:metrics-answer';
/** prom-client gives up on a worker after 5 s; the worker waits a little longer for the primary. */
const ANSWER_TIMEOUT_MS = 6000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsAnswer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

const isRequest = (m: unknown): m is MetricsRequest => (m as MetricsRequest | null)?.type === REQUEST;
const isAnswer = (m: unknown): m is MetricsAnswer => (m as MetricsAnswer | null)?.type === ANSWER;

/** In the primary: answers the workers' metrics requests with the cluster's aggregate. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) =>
        worker.isConnected() && worker.send({ type: ANSWER, id: message.id, text } satisfies MetricsAnswer),
      (err: Error) =>
        worker.isConnected() &&
        worker.send({ type: ANSWER, id: message.id, error: err.message } satisfies MetricsAnswer),
    );
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation and returns the scrape that asks the
 * primary for the aggregate (used by the worker's /metrics route).
 */
export function clusterScrape(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  new AggregatorRegistry();
  let next = 0;
  const waiting = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.error !== undefined) w.reject(new Error(`cluster metrics: ${message.error}`));
    else w.resolve(message.text ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
    });
}
