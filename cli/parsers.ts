import { InvalidArgumentError } from 'commander';
import { resolveSince } from '../shared/endpoints/deploymentLogs';
import { ensureError } from '../shared/errors';

// Commander value parsers: a bad value is a usage error (exit 2) that names the rule.

/** A whole number in [min, max]: the API answers 400 outside its range, so say it before asking. */
export function wholeNumberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

export function parsePort(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > 65535) {
    throw new InvalidArgumentError('expected a TCP port between 1 and 65535.');
  }
  return number;
}

export function parseSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError('expected a number of seconds greater than 0.');
  }
  return number;
}

/**
 * A point in time as `--since`/`--until` take it: an ISO time or a span back from now
 * (90s, 15m, 24h, 7d). Checked here so a typo is a usage error; sent as typed, so the host
 * resolves spans on its own clock. Returns the trimmed text.
 */
export function parseTimeOption(value: string, now: Date = new Date()): string {
  try {
    resolveSince(value, now);
  } catch (error) {
    throw new InvalidArgumentError(`${ensureError(error).message.replace(/^since: /, '')}.`);
  }
  return value.trim();
}
