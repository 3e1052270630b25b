import { BadRequestError } from '../../../shared/errors';

/**
 * Name rules of Azure ML, checked before a name becomes part of a path or a URL:
 * the rules exclude '/', '\\' and '..', so a valid name can never escape its folder.
 */
const RULES = {
  job: { pattern: /^[A-Za-z0-9_-]{1,255}$/, hint: '1-255 letters, digits, dashes or underscores' },
  model: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/,
    hint: '1-255 letters, digits, dashes, underscores or dots, starting with a letter or digit',
  },
  endpoint: {
    pattern: /^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/,
    hint: '3-32 letters, digits or dashes, starting with a letter and not ending with a dash',
  },
  deployment: {
    pattern: /^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/,
    hint: '3-32 letters, digits or dashes, starting with a letter and not ending with a dash',
  },
} as const;

export type NameKind = keyof typeof RULES;

export function validateName(kind: NameKind, name: string): string {
  const rule = RULES[kind];
  if (typeof name !== 'string' || !rule.pattern.test(name) || name.includes('..')) {
    throw new BadRequestError(`invalid ${kind} name ${JSON.stringify(name)}: use ${rule.hint}`, `${kind} name`);
  }
  return name;
}
