import type { Agent } from 'node:http';
import { postScore, type ScoreAnswer } from './scoreClient';

const GIVE_UP_MS = 60_000;

export interface SwitchProbe {
  /** Probes sent from t0 until `settled`, then `after` more. */
  answers: ScoreAnswer[];
  /** Send time (ms after t0) of the last probe `from` answered: the switch came after it (a lower bound). */
  lastOldSentMs?: number;
  /**
   * Answer time of the probe after it, the first of the unbroken run `to` answered: the
   * switch came before the router took that probe in (an upper bound, unless that probe
   * went to `to` by chance before the switch: probability 1 - weight of `from`).
   */
  firstNewAnsweredMs?: number;
  /** Probes answered by neither deployment with a 200 (e.g. a request caught by the deletion). */
  failed: number;
  /** Probes sent after `settled` resolved that `to` did not answer: should be none. */
  oldAfterSettled: number;
}

/**
 * Scores through the router one request after another, from t0 until `settled` resolves
 * and `after` more probes, and finds where answers switched from deployment `from` to `to`.
 * The router picks a deployment when a request arrives, between its send and its answer.
 */
export async function probeSwitch(
  url: string,
  agent: Agent,
  t0: number,
  from: string,
  to: string,
  settled: Promise<unknown>,
  after = 20,
): Promise<SwitchProbe> {
  let settledAt: number | undefined;
  const mark = () => (settledAt = performance.now());
  settled.then(mark, mark); // a failed POST is reported by its own caller
  const answers: ScoreAnswer[] = [];
  let afterCount = 0;
  while (afterCount < after) {
    if (performance.now() - t0 > GIVE_UP_MS)
      throw new Error(`bench: ${url} probed for ${GIVE_UP_MS / 1000} s and the alert still had no answer`);
    const answer = await postScore(url, agent).catch(
      (error: Error) => ({ status: 0, sentAt: performance.now(), ms: 0, error: error.message }) as ScoreAnswer,
    );
    answers.push(answer);
    if (settledAt !== undefined && answer.sentAt > settledAt) afterCount++;
  }
  const lastOld = answers.findLastIndex((a) => a.deployment === from);
  const firstNew = answers.findIndex((a, i) => i > lastOld && a.status === 200 && a.deployment === to);
  return {
    answers,
    ...(lastOld >= 0 ? { lastOldSentMs: answers[lastOld]!.sentAt - t0 } : {}),
    ...(firstNew >= 0 ? { firstNewAnsweredMs: answers[firstNew]!.sentAt + answers[firstNew]!.ms - t0 } : {}),
    failed: answers.filter((a) => a.status !== 200).length,
    oldAfterSettled: answers.filter((a) => settledAt !== undefined && a.sentAt > settledAt && a.deployment !== to).length,
  };
}
