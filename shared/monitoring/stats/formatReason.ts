/** Numbers for humans: two significant digits, tiny p-values as "<1e-6". */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return Number(x.toPrecision(2)).toString();
}

export function formatPValue(p: number): string {
  return p < 1e-6 ? 'p<1e-6' : `p=${formatNumber(p)}`;
}

export function formatRate(x: number): string {
  return `${formatNumber(x * 100)}%`;
}
