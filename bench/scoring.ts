import { keepAliveAgent, postScore } from './scoreClient';
import { summarize, type Summary } from './stats';

/** Round trips of a 2-row score request to a deployed endpoint (sequential, after one warm-up). */
export async function measureScoring(endpointsUrl: string, endpoint: string, requests = 20): Promise<Summary> {
  const agent = keepAliveAgent(1);
  try {
    const times: number[] = [];
    for (let i = 0; i <= requests; i++) {
      const answer = await postScore(`${endpointsUrl}/${endpoint}/score`, agent);
      if (answer.status !== 200) throw new Error(`bench: POST ${endpoint}/score answered ${answer.status}: ${answer.error}`);
      if (i > 0) times.push(answer.ms);
    }
    return summarize(times);
  } finally {
    agent.destroy();
  }
}
