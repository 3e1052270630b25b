/**
 * Writes docs/api.md from the API document, built from the routes the function app really
 * registers (every module loaded against a local Functions core, as the host loads them).
 * Run it after changing a route: `npm run docs:api`. A test fails while docs/api.md is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FunctionsCore, installFunctionsCore } from '../devhost/functionsCore';
import { apiDocument } from '../shared/api/apiDocument';
import { apiMarkdown } from '../shared/api/apiMarkdown';

const ROOT = join(__dirname, '..');

installFunctionsCore(new FunctionsCore());
require('../functions');
const { registeredOperations } = require('../functions/http/respond') as typeof import('../functions/http/respond');
const { version } = require('../package.json') as { version: string };
const target = join(ROOT, 'docs/api.md');
writeFileSync(target, apiMarkdown(apiDocument(registeredOperations(), { version })));
console.log(`wrote ${target} (${registeredOperations().length} operations)`);
