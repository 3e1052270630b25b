/**
 * Section 6's realistic model: the example's scoring script plus ~1 ms of CPU per request
 * (BUSY_CPU_MS of the process's own CPU time, not wall time, so a preempted server still
 * works the full amount), standing in for a model that costs more than a dot product.
 */
import { cpuUsage } from 'node:process';
import { init as initExample, run as runExample } from '../../examples/tabular/score';

const busyMicros = Number(process.env['BUSY_CPU_MS'] ?? '1') * 1000;

export function init(): void {
  initExample();
}

export function run(rawData: unknown): ReturnType<typeof runExample> {
  const start = cpuUsage();
  let spent = 0;
  while (spent < busyMicros) {
    const used = cpuUsage(start);
    spent = used.user + used.system;
  }
  return runExample(rawData);
}
