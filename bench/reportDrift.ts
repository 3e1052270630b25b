import type { DriftStatsBench } from './driftStats';

/** Section 7 of RESULTS.md: the drift statistics at scale, and against scipy on the same data. */
export function driftSection(d: DriftStatsBench): string[] {
  const scipy = 'skipped' in d.scipy
    ? [`scipy comparison: ${d.scipy.skipped}.`]
    : [
        `scipy ${d.scipy.version} (\`ks_2samp\`, \`wasserstein_distance\`, \`jensenshannon\` per feature, same data, same run): ${d.scipy.seconds.toFixed(2)} s;`,
        `**ours / scipy = ${d.scipy.ratio.toFixed(2)}x** (ours includes profiling the baseline and reading the rows; scipy's excludes loading).`,
        `Largest differences from scipy: KS D ${d.scipy.maxKsDifference.toPrecision(2)}, normalized Wasserstein ${d.scipy.maxWassersteinDifference.toPrecision(2)}, Jensen-Shannon ${d.scipy.maxJsDifference.toPrecision(2)} (sketch approximations, docs/monitoring-statistics.md).`,
      ];
  return [
    '',
    `## 7. Drift statistics on ${d.windowRows.toLocaleString('en-US')} rows x ${d.features} features (in process)`,
    '',
    `Baseline profile of ${d.baselineRows.toLocaleString('en-US')} rows, then a window of ${d.windowRows.toLocaleString('en-US')} rows accumulated (streaming: bins, categories, one KLL sketch`,
    'per numeric feature), then compared: PSI, Jensen-Shannon, normalized Wasserstein, KS and chi-squared per feature, and data quality.',
    '',
    '| phase | time |',
    '| --- | ---: |',
    `| profile baseline | ${d.profileSeconds.toFixed(2)} s |`,
    `| accumulate window | ${d.accumulateSeconds.toFixed(2)} s |`,
    `| compare | ${d.compareSeconds.toFixed(2)} s |`,
    `| **total** | **${d.totalSeconds.toFixed(2)} s** |`,
    `| RSS before / peak | ${d.startRssMb.toFixed(0)} MB / ${d.peakRssMb.toFixed(0)} MB |`,
    '',
    `Features found drifted (n0, n1, n2 and c0 were shifted on purpose; the other 16 were not): ${d.driftedFeatures.join(', ') || 'none'}.`,
    ...scipy,
  ];
}
