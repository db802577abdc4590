#!/usr/bin/env node
// Build step: the empty PGlite cluster a first start copies instead of running initdb (see
// src/db/pglite-template.ts), and that cluster migrated. Skipped when dist/pglite-template was made by
// the installed PGlite and its migrated cluster has this build's migrations.
import { buildTemplate, TEMPLATE_DIR } from '../dist/db/pglite-template.js';

const started = Date.now();
if (await buildTemplate()) console.log(`pglite template: ${TEMPLATE_DIR} made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
