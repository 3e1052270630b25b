#!/usr/bin/env node
// The package bin: registers tsx (its documented CommonJS API) so the TypeScript CLI runs
// from a clone without a build step, then hands over to cli/main.ts.
'use strict';
require('tsx/cjs/api').register();
require('../cli/main.ts').runAsProcess();
