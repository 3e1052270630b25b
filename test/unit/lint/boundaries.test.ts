import { join } from 'node:path';
import { ESLint } from 'eslint';

/**
 * The layer rules of eslint.config.js, run through ESLint's Node API on snippets placed (in memory) at
 * paths inside the tree: what `npm run lint` reports there, and so what fails `npm test` and CI.
 */
const root = join(__dirname, '../../..');
// jest cannot import() an ES module, which is how ESLint loads a config file it finds itself: pass ours in.
const config = require(join(root, 'eslint.config.js'));
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });

async function lint(path: string, code: string): Promise<{ rule: string | null; message: string; line: number }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message, line: m.line }));
}

describe('lint boundaries', () => {
  it('shared/ may import neither I/O modules, SDKs nor the outer layers', async () => {
    const messages = await lint(
      'shared/release/probe.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import type { BlobServiceClient } from '@azure/storage-blob';",
        "import { trace } from '@opentelemetry/api';",
        "import { createStorage } from '../../adapters/azure/storage';",
        "import { startAzurite } from '../../devhost/azurite';",
        "import type { Services } from '../../functions/services';",
        "import { spawn } from 'child_process';",
        'export const used = [readFileSync, trace, createStorage, startAzurite, spawn] as unknown as [BlobServiceClient, Services];',
      ].join('\n'),
    );
    expect(messages.map((m) => [m.line, m.rule])).toEqual([1, 2, 3, 4, 5, 6, 7].map((line) => [line, 'no-restricted-imports']));
    expect(messages[0]!.message).toContain('shared/ is the pure core: no I/O modules');
    expect(messages[1]!.message).toContain('no SDKs or other runtime libraries');
    expect(messages[3]!.message).toContain('must not depend on adapters/, devhost/ or functions/');
    expect(messages[6]!.message).toContain('no I/O modules');
  });

  it('shared/ may import the pure libraries and computing Node modules it uses', async () => {
    const messages = await lint(
      'shared/config/probe.ts',
      [
        "import { createHash } from 'node:crypto';",
        "import { posix } from 'node:path';",
        "import { z } from 'zod';",
        "import { parse as parseCsv } from 'csv-parse/sync';",
        "import { parse as parseYaml } from 'yaml';",
        "import { Webhook } from 'standardwebhooks';",
        "import { DEFAULT_ENVIRONMENT } from '../auth/permissions';",
        'export const used = [createHash, posix, z, parseCsv, parseYaml, Webhook, DEFAULT_ENVIRONMENT];',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });

  it('shared/ loads modules by static import only, so the boundary rule sees them all', async () => {
    const messages = await lint('shared/probe.ts', "export const load = () => [import('node:fs'), require('node:net')];");
    expect(messages.map((m) => m.rule)).toEqual(['no-restricted-syntax', 'no-restricted-syntax']);
  });

  it('functions/ may import @azure/functions but no SDK client', async () => {
    const messages = await lint(
      'functions/probe.ts',
      [
        "import { app } from '@azure/functions';",
        "import { TableClient } from '@azure/data-tables';",
        "import { DefaultAzureCredential } from '@azure/identity';",
        'export const used = [app, TableClient, DefaultAzureCredential];',
      ].join('\n'),
    );
    expect(messages.map((m) => [m.line, m.rule])).toEqual([
      [2, 'no-restricted-imports'],
      [3, 'no-restricted-imports'],
    ]);
    expect(messages[0]!.message).toContain('functions/ handlers stay thin: no SDK clients here');
  });

  it('adapters/ may import SDK clients and I/O modules', async () => {
    const messages = await lint(
      'adapters/azure/probe.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import { TableClient } from '@azure/data-tables';",
        'export const used = [readFileSync, TableClient];',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });
});
