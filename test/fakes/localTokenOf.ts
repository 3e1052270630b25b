import { readFileSync } from 'node:fs';

/** The token a principal has in a local tokens file (adapters/local/tokens.ts), for tests calling the API as that principal. */
export function localTokenOf(tokensPath: string, principal: string): string {
  const file = JSON.parse(readFileSync(tokensPath, 'utf8')) as { tokens: { principal: string; token: string }[] };
  return file.tokens.find((t) => t.principal === principal)!.token;
}
