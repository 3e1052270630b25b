import type { DurabilityBench, Operation } from './azuriteDurability';

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
const ratio = (durable: number, today: number) => `${(durable / today).toFixed(1)}x`;

export function durabilitySection(b: DurabilityBench): string[] {
  const lines = [
    '## 10. Embedded Azurite: a write answered once saved, vs answered at once',
    '',
    "Two persisted Azurites side by side: **durable** as devhost starts it (devhost/azuriteProcess.ts: a response waits until Azurite's LokiJS",
    "databases are saved, so a SIGKILL loses nothing acknowledged) and **today** (Azurite's own entry: answers at once, saves every 5 s, so a",
    `SIGKILL loses up to 5 s of acknowledged writes). ${b.samples} sequential requests of each kind, alternating between the two; then ${b.burst} table`,
    `upserts with ${b.concurrency} in flight (concurrent writes share a save). A save writes the service's whole database, so the cost grows`,
    'with what is stored: measured empty, then after storing more entities (about 300 B each) and 1 KB blobs. For scale: a release of the',
    'e2e fixture pipeline adds about 30 KB to the table database.',
    '',
    '| stored entities + blobs | request | today p50 | durable p50 | ratio p50 | today p99 | durable p99 |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const step of b.steps) {
    for (const op of Object.keys(step.today.latency) as Operation[]) {
      const t = step.today.latency[op];
      const d = step.durable.latency[op];
      lines.push(
        `| ${step.preloaded.toLocaleString('en-US')} | ${op} | ${ms(t.p50)} | ${ms(d.p50)} | **${ratio(d.p50, t.p50)}** | ${ms(t.p99)} | ${ms(d.p99)} |`,
      );
    }
    const t = step.today.burstMs;
    const d = step.durable.burstMs;
    lines.push(
      `| ${step.preloaded.toLocaleString('en-US')} | ${b.burst} upserts, ${b.concurrency} in flight (wall) | ${ms(t)} | ${ms(d)} | **${ratio(d, t)}** |  |  |`,
    );
  }
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  lines.push(
    '',
    `Database sizes after each step (stored count: table / blob): ${b.steps.map((s) => `${s.preloaded.toLocaleString('en-US')}: ${mb(s.tableDbBytes)} / ${mb(s.blobDbBytes)}`).join('; ')}.`,
  );
  lines.push('');
  return lines;
}
