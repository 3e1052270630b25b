import { InvalidArgumentError } from 'commander';

/** Commander value parsers: a bad value is a usage error (exit 2) that names the rule. */
export function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.');
  }
  return number;
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
