/**
 * scipy's side of section 7: the same statistics as the monitor's on the same binary columns
 * (bench/driftData.ts), timed from loaded arrays to statistics (loading excluded). Numeric
 * features: KS (`ks_2samp`), Wasserstein normalized by the baseline's std, Jensen-Shannon on the
 * baseline's bins; categorical: Jensen-Shannon on the baseline's categories plus one pooled rest.
 */
export const SCIPY = `
import json, sys, time
import numpy as np, scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon
d, meta = sys.argv[1], json.load(open(sys.argv[2]))
load = lambda part, j, t: np.fromfile(f'{d}/{part}_{j}.bin', dtype=t)
num = [(load('baseline', j, '<f8'), load('window', j, '<f8')) for j in range(meta['numeric'])]
cat = [(load('baseline', meta['numeric'] + c, '<i4'), load('window', meta['numeric'] + c, '<i4')) for c in range(len(meta['cardinality']))]
def bins(edges, x):
    last = len(edges) - 1
    i = np.searchsorted(edges, x, side='right')
    i = np.where(x == edges[last], last, i)
    i = np.where(x > edges[last], last + 1, i)
    return np.bincount(i, minlength=last + 2)
started = time.perf_counter()
out = {'ks': [], 'wasserstein': [], 'js': []}
for j, (a, b) in enumerate(num):
    out['ks'].append(float(stats.ks_2samp(a, b, method='asymp').statistic))
    out['wasserstein'].append(float(stats.wasserstein_distance(a, b) / np.std(a)))
    e = meta['edges'][j]
    out['js'].append(float(jensenshannon(bins(e, a), bins(e, b), base=2)))
for c, (a, b) in enumerate(cat):
    listed = np.array(meta['categories'][c], dtype=np.int64)
    k = meta['cardinality'][c] + 1
    ca, cb = np.bincount(a, minlength=k), np.bincount(b, minlength=k)
    pool = lambda counts: np.append(counts[listed], counts.sum() - counts[listed].sum())
    out['js'].append(float(jensenshannon(pool(ca), pool(cb), base=2)))
out['seconds'] = time.perf_counter() - started
out['version'] = scipy.__version__
print(json.dumps(out))
`;
