import { summarize, type Summary } from './stats';

const REQUEST = JSON.stringify({
  input_data: {
    columns: ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'age', 'contract', 'payment_method', 'region'],
    data: [[3, 95.5, 286.5, 5, 29, 'month-to-month', 'electronic-check', 'north'], [60, 20.1, 1206, 0, 61, 'two-year', 'credit-card', 'west']],
  },
});

/** Round trips of a 2-row score request to a deployed endpoint (sequential, after one warm-up). */
export async function measureScoring(endpointsUrl: string, endpoint: string, requests = 20): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i <= requests; i++) {
    const started = performance.now();
    const response = await fetch(`${endpointsUrl}/${endpoint}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`bench: POST ${endpoint}/score answered ${response.status}: ${body.slice(0, 300)}`);
    if (i > 0) times.push(performance.now() - started);
  }
  return summarize(times);
}
