/**
 * A swarm worker thread (api/swarm-threads.ts starts it): rebuilds the HYP system from plain data, then
 * runs each seed it is sent with the public `explore` (a fresh engine per seed, exactly as a one-seed
 * `hypsim explore --seed S` run) and posts the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed, type SeedJob, type SwarmTask } from './swarm-task';
import { present } from '../util/errors';

const task = workerData as SwarmTask;
const port = present(parentPort, 'parent port (api/swarm-worker.ts runs as a worker thread only)');
port.on('message', (job: SeedJob) => {
  try {
    port.postMessage({ seed: job.seed, result: runSeed(task, job) });
  } catch (e) {
    port.postMessage({ seed: job.seed, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
