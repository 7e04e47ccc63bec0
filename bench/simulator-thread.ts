// The built-in simulators on a worker thread of the benchmark's process. The upstreams a sync reads
// from are other machines; in-process on the main thread, the simulators' own work (generating and
// serialising every response) would run on the event loop of the sync under test and be counted
// as its time. A worker thread keeps its own event loop and heap (the second core), as a remote
// upstream would, while the benchmark still reads the simulator's counters over its control API.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@t5g/simulators';

export type SimulatorThread = Pick<RunningSimulator, 'url' | 'urls' | 'team' | 'smtpPort'> & {
  close(): Promise<void>;
};

interface Ready {
  url: string;
  urls: RunningSimulator['urls'];
  team: RunningSimulator['team'];
  smtpPort?: number;
}

export function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: options,
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (ready: Ready) => {
      worker.off('error', reject);
      resolve({
        ...ready,
        close: async () => {
          worker.postMessage('close');
          await new Promise((done) => worker.once('exit', done));
        },
      });
    });
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const sim = await startSimulator(workerData as SimulatorOptions);
  port.on('message', async (message) => {
    if (message !== 'close') return;
    await sim.close();
    port.close();
  });
  port.postMessage({
    url: sim.url,
    urls: sim.urls,
    team: sim.team,
    ...(sim.smtpPort === undefined ? {} : { smtpPort: sim.smtpPort }),
  } satisfies Ready);
}
