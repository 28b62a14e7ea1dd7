// Writes the README's performance tables from the benches' JSON in bench/results/, so the numbers
// a reader sees are the last ones measured, with the commit, date and load they were measured
// at. Each table sits between `<!-- perf:NAME -->` and `<!-- /perf:NAME -->`; the prose around
// them is the README's own. `--check` changes nothing and exits 1 when a table is out of date
// (test/readme-perf.test.ts runs it that way).
//
//   node scripts/readme-perf.mjs           rewrite the tables (npm run readme:perf)
//   node scripts/readme-perf.mjs --check   say which tables differ from the JSON
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each generated table: the bench JSON it comes from, and how it is drawn. */
export const SECTIONS = {
  board: { file: 'board.json', command: 'npm run bench', render: boardTable },
  claims: { file: 'board.json', command: 'npm run bench', render: claimsTable },
  follow: { file: 'follow.json', command: 'npm run bench:follow', render: (r) => `${r.tables.latency}\n\n${r.tables.idle}` },
  peers: { file: 'peers.json', command: 'npm run bench:peers', render: (r) => r.table },
  impact: { file: 'impact.json', command: 'npm run bench:impact', render: impactTable },
  footprints: { file: 'footprints.json', command: 'npm run bench:footprints', render: footprintsTable },
  runner: { file: 'runner.json', command: 'npm run bench:runner', render: (r) => r.table },
  fleet: { file: 'fleet.json', command: 'npm run bench:fleet', render: (r) => `${r.config.files.toLocaleString('en-US')}-file repository.\n\n${r.table}` },
  baseline: { file: 'baseline.json', command: 'npm run bench:baseline', render: (r) => r.tables.summary },
  containment: { file: 'containment.json', command: 'node bench/containment.mjs', render: (r) => r.table },
  'test-reports': { file: 'test-reports.json', command: 'node bench/test-reports.mjs', render: testReportsTable },
};

/** The text of one section: where and when it was measured, then its table. */
export function renderSection(name, results) {
  const section = SECTIONS[name];
  const { machine, source } = results;
  const load = (loads) => (Array.isArray(loads) ? loads[0].toFixed(1) : '?');
  const dirty = source.uncommittedSrcFiles > 0 ? ` plus ${source.uncommittedSrcFiles} uncommitted source file(s)` : '';
  const measured =
    `<sub>Generated from \`bench/results/${section.file}\` (\`${section.command}\`) by \`npm run readme:perf\`: ` +
    `commit ${source.commit}${dirty}, ${machine.date.slice(0, 10)}, Node ${machine.node}, ${machine.cpuCount} CPUs (${machine.cpuModel}), ` +
    `load ${load(machine.loadAverageAtStart)} at the start${machine.loadAverageAtEnd ? `, ${load(machine.loadAverageAtEnd)} at the end` : ''}.</sub>`;
  return `${measured}\n\n${section.render(results).trim()}`;
}

/** `readme` with every section's table replaced; throws naming a section whose markers are missing. */
export function withSections(readme, rendered) {
  let text = readme;
  for (const [name, body] of Object.entries(rendered)) {
    const open = `<!-- perf:${name} -->`;
    const close = `<!-- /perf:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} block for bench/results/${SECTIONS[name].file}`);
    text = `${text.slice(0, start + open.length)}\n${body}\n${text.slice(end)}`;
  }
  return text;
}

/** Every section rendered from the JSON files in `resultsDir`. */
export function renderAll(resultsDir = `${ROOT}bench/results`) {
  const rendered = {};
  for (const [name, section] of Object.entries(SECTIONS)) {
    const path = `${resultsDir}/${section.file}`;
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`${section.command}\` first`);
    rendered[name] = renderSection(name, JSON.parse(readFileSync(path, 'utf8')));
  }
  return rendered;
}

function boardTable(results) {
  const { target, sizes } = results.cli;
  const columns = sizes.flatMap((size) => size.modes.map((mode) => `${size.tasks.toLocaleString('en-US')} tasks, ${mode.mode === 'BATON_AGENT' ? '`BATON_AGENT`' : 'git user'}`));
  const commands = sizes[0].modes[0].commands.map((command) => command.command);
  const cell = (command) => (command === undefined ? '–' : `${ratio(command.cpuRatio)} / ${ratio(command.wallRatio)}${command.pass === false ? ' ✗' : ''}`);
  const rows = [
    ['`node -e 0`: CPU / wall (ms)', ...sizes.flatMap((size) => size.modes.map((mode) => `${Math.round(mode.baseline.cpuMs.median)} / ${Math.round(mode.baseline.wallMs.median)}`))],
    ...commands.map((name) => [
      `\`${name.replace(/ \(.*\)$/, '')}\``,
      ...sizes.flatMap((size) => size.modes.map((mode) => cell(mode.commands.find((command) => command.command === name)))),
    ]),
  ];
  const note = `Each cell: median CPU ratio / median wall ratio to \`node -e 0\` in the same rounds (${results.config.runs} runs); target ≤ ${target}x in both; ✗ misses it.`;
  return `${note}\n\n${markdown(['command', ...columns], rows)}`;
}

function claimsTable(results) {
  const rows = results.claims.map((claims) => [`claims/s, ${claims.clients} long-lived clients, \`${claims.mode}\``, `${claims.claimsPerSecond.toLocaleString('en-US')}/s`, `≥ ${claims.target.toLocaleString('en-US')}/s`, verdict(claims.pass)]);
  const { latency, idle } = results.feed;
  rows.push(['`watch --follow` commit-to-print latency, writer in the same process', `${latency.median} ms median, ${latency.p95} ms p95`, `≤ ${latency.target} ms`, verdict(latency.pass)]);
  rows.push([`\`watch --follow\` CPU over ${idle.seconds} s idle`, `${idle.cpuMs} ms utime+stime (${idle.schedstatCpuMs} ms on-CPU by schedstat)`, `≤ ${idle.target} ms utime+stime`, verdict(idle.pass)]);
  return markdown(['store', 'result', 'target', ''], rows);
}

function impactTable(results) {
  const { board } = results;
  return markdown(
    ['measure', 'median', 'p95', 'target', ''],
    [
      [`impact check at completion, ${board.tasks.toLocaleString('en-US')} open tasks with ${board.declaredResources.toLocaleString('en-US')} declared resources (in-process)`, ms(results.completionFindingsMs.median), ms(results.completionFindingsMs.p95), `≤ ${results.config.targetMs} ms`, verdict(results.pass)],
    ],
  );
}

function footprintsTable(results) {
  const { config } = results;
  const pairs = (config.branches * (config.branches - 1)) / 2;
  return markdown(
    ['measure', 'median', 'p95', 'target', ''],
    [[`refresh ${config.branches} footprints + ${config.branches + pairs} merge predictions (${config.branches} against base, ${pairs} pairs), ${config.files.toLocaleString('en-US')}-file repository`, ms(results.totalMs.median), ms(results.totalMs.p95), `≤ ${results.targetMs} ms`, verdict(results.pass)]],
  );
}

function testReportsTable(results) {
  const { input, config } = results;
  const row = (what, stats, target) => [what, ms(stats.median), ms(stats.p95), target ?? '–'];
  return markdown(
    ['measure', 'median', 'p95', 'target'],
    [
      row(`reading a ${input.tests.toLocaleString('en-US')}-test JUnit report (${Math.round(input.junitBytes / 1024)} KiB, ${input.failing} failing)`, results.readJunitReportMs, `≤ ${config.targetMs} ms`),
      row(`reading ${input.tests.toLocaleString('en-US')} TAP test points`, results.readTapReportMs),
      row(`reading \`cargo test\` output of ${input.tests.toLocaleString('en-US')} tests (${Math.round(input.libtestBytes / 1024)} KiB)`, results.readLibtestReportMs),
      row('feedback from that report', results.structuredFeedbackMs),
      row("the report's fingerprint", results.reportSignatureMs),
    ],
  );
}

const ratio = (value) => (typeof value === 'number' ? `${value.toFixed(2)}x` : '–');
const ms = (value) => `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
const verdict = (pass) => (pass === true ? 'met' : pass === false ? '**not met**' : '');

function markdown(headings, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headings), line(headings.map(() => '---')), ...rows.map(line)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = `${ROOT}README.md`;
  const readme = readFileSync(readmePath, 'utf8');
  const updated = withSections(readme, renderAll());
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      process.stderr.write('README.md\'s performance tables differ from bench/results/*.json: run `npm run readme:perf`\n');
      process.exit(1);
    }
  } else if (updated !== readme) {
    writeFileSync(readmePath, updated);
    process.stdout.write('README.md: performance tables rewritten from bench/results/\n');
  }
}
