#!/usr/bin/env node
'use strict';
// The built CLI (npm run build, or the `prepare` step of npm install).
require('../dist/baton.cjs');
