// Preloaded into measured Node processes (`--require`, or NODE_OPTIONS to reach the Node
// processes they start, such as the runner's watchdog): at exit, each writes its own
// peak resident set size (KiB, getrusage's ru_maxrss; children not included) with its pid,
// parent pid and title to <BENCH_RSS_DIR>/<pid>.json.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_RSS_DIR;
if (dir) {
  process.once('exit', () => {
    try {
      const report = { pid: process.pid, ppid: process.ppid, title: process.title, maxRssKiB: process.resourceUsage().maxRSS };
      writeFileSync(join(dir, `${process.pid}.json`), `${JSON.stringify(report)}\n`);
    } catch {
      // The bench reports the sample as missing.
    }
  });
}
