import type { Finding } from '../finding.js';
import { formatLink } from '../link.js';
import { formatResource } from '../resource.js';
import type { Note, Task } from '../task.js';
import { REPORT_EXAMPLE } from './agent-report.js';
import type { CheckFailure } from './check-failure.js';
import type { KnownFailure } from './check-verdict.js';
import { CONFIG_FILE_NAME, NOTES_PATH } from './project-config.js';

/** Everything one attempt's prompt says; the same input always gives the same prompt. */
export interface PromptInput {
  task: Task;
  notes: readonly Note[];
  /** The task's findings; only open ones are shown. */
  findings: readonly Finding[];
  /** AGENTS.md or CLAUDE.md of the repository, if present. */
  instructions: { file: string; text: string } | null;
  /** Counted attempts, from 1. */
  attempt: number;
  maxAttempts: number;
  /** What baton will run after the attempt, verify commands included. */
  checks: readonly { id: string; run: string }[];
  allowedPaths: readonly string[];
  protectedPaths: readonly string[];
  /** Where the agent writes its report: '.baton/report.json'. */
  reportPath: string;
  /** The failures of the previous attempt, verbatim; null on a first attempt. */
  previousFailures: readonly CheckFailure[] | null;
  /** Set when the previous attempt was reverted for leaving scope. */
  reverted: boolean;
  /** Checks that already failed on the task's base commit, before any attempt. */
  knownFailures: readonly KnownFailure[];
}

/** What the agent sees of each failure's detail at most. */
const DETAIL_MAX_CHARS = 12_000;

/** The words a retry prompt leads with; tests and people grep for them. */
export const FEEDBACK_HEADING = 'Previous attempt failed because:';
export const FEEDBACK_INSTRUCTION = 'Fix only these issues. Do not change anything else.';

/**
 * The prompt for one attempt: on a retry the previous failures come first, verbatim; then the
 * task as the board holds it; then how baton will judge the work, the scope, the rules and
 * the report; the repository's own instructions last, word for word.
 */
export function buildPrompt(input: PromptInput): string {
  const sections = [
    header(input),
    input.previousFailures === null ? null : feedback(input.previousFailures, input.reverted),
    ...taskSections(input.task),
    notesSection(input.notes),
    findingsSection(input.findings),
    checksSection(input.checks, input.task.verify),
    knownFailuresSection(input.knownFailures),
    scopeSection(input.allowedPaths, input.protectedPaths),
    rulesSection(input.reportPath),
    reportSection(input.reportPath),
    instructionsSection(input.instructions),
    input.previousFailures === null ? null : `Remember: this is a retry. Fix only the failures listed under "${FEEDBACK_HEADING}" above; do not change anything else.`,
  ];
  return `${sections.filter((section): section is string => section !== null).join('\n\n')}\n`;
}

function header(input: PromptInput): string {
  const { task } = input;
  return [
    `# Task #${task.id}: ${task.title}`,
    '',
    `You are working on task #${task.id} from the baton board, in a git worktree and branch of its own. ` +
      `This is attempt ${input.attempt} of at most ${input.maxAttempts}.`,
    'Baton, not you, decides when the task is done: when you stop, it runs the checks listed below in this worktree, ' +
      'and only if every one passes does it commit your work and hand the task to review.',
  ].join('\n');
}

/** The previous attempt's failures, word for word, each detail trimmed to its end and fenced. */
export function feedback(failures: readonly CheckFailure[], reverted: boolean): string {
  const parts = [`## ${FEEDBACK_HEADING}`];
  if (reverted) {
    parts.push(
      "Baton reverted every change the previous attempt made, because it broke the task's scope rules (see Scope below). " +
        'The worktree is back where that attempt started: do the work again, this time within the scope.',
    );
  }
  if (failures.length === 0) parts.push('The attempt ended without passing baton\'s checks; baton recorded no details.');
  failures.forEach((failure, index) => {
    const detail = trimDetail(failure.detail);
    parts.push(`${index + 1}. ${failure.summary.trim()} (\`${failure.checkId}\`)`);
    if (detail !== '') parts.push(fenced(detail));
  });
  parts.push(FEEDBACK_INSTRUCTION);
  return parts.join('\n\n');
}

/** How many failing tests of one check the prompt names before it says how many more there are. */
const KNOWN_TESTS_SHOWN = 20;

/** What was already red before the task: the agent should neither chase it nor be blamed for it, unless it must pass. */
function knownFailuresSection(known: readonly KnownFailure[]): string | null {
  if (known.length === 0) return null;
  const line = (failure: KnownFailure): string => {
    const tests = failure.tests.slice(0, KNOWN_TESTS_SHOWN).map((name) => `\n  - ${name}`).join('');
    const more = failure.tests.length > KNOWN_TESTS_SHOWN ? `\n  - ... and ${failure.tests.length - KNOWN_TESTS_SHOWN} more` : '';
    return `- ${failure.checkId.replace(/^command:/, '').replace(/^verify:/, 'verify-')}: ${code(failure.run)} ${failure.how} on the base commit, before any change${tests}${more}`;
  };
  const mustPass = known.filter((failure) => failure.mustPass);
  const excused = known.filter((failure) => !failure.mustPass);
  const parts = ['## Already failing before this task'];
  if (mustPass.length > 0) parts.push('These checks already fail on the commit this task starts from, and they must pass when you are done: making them pass is part of the task.', mustPass.map(line).join('\n'));
  if (excused.length > 0) {
    parts.push(
      'These failures were there on the commit this task starts from. They are not yours to fix unless the task says so, and they do not count against you as long as they keep failing the same way:',
      excused.map(line).join('\n'),
    );
  }
  return parts.join('\n\n');
}

function taskSections(task: Task): (string | null)[] {
  return [
    task.description.trim() === '' ? null : `## Description\n\n${task.description.trim()}`,
    list('## Acceptance criteria', 'Every one of these must hold when you are done:', task.acceptance.map((item) => `[ ] ${item}`)),
    list('## Verify commands', 'Baton runs each of these after you stop; each must exit 0:', task.verify.map((command) => code(command))),
    list('## Resources', 'What the task declares it changes or reads:', task.resources.map(formatResource)),
    list('## Links', 'Files and pages the task points at:', task.links.map(formatLink)),
  ];
}

function notesSection(notes: readonly Note[]): string | null {
  return list('## Notes on this task', 'Left by people and agents who worked on or around it:', notes.map((note) => `${note.author}: ${indentRest(note.body.trim())}`));
}

function findingsSection(findings: readonly Finding[]): string | null {
  const open = findings.filter((finding) => finding.status === 'open');
  const lines = open.map((finding) => {
    const other = finding.otherTaskId === null ? 'the base branch' : `task #${finding.otherTaskId}`;
    const paths = finding.paths.length > 0 ? ` (paths: ${finding.paths.join(', ')})` : '';
    return `[${finding.severity}] ${finding.kind} from ${other}: ${finding.message}${paths}`;
  });
  return list(
    "## Warnings about other agents' work",
    'Baton found that work on other tasks may affect this one. Take these into account; they are warnings, not instructions:',
    lines,
  );
}

function checksSection(checks: readonly { id: string; run: string }[], verify: readonly string[]): string {
  const own = checks.filter((check) => !verify.includes(check.run));
  const lines = own.map((check) => `- ${check.id}: ${code(check.run)}`);
  const intro =
    own.length > 0
      ? `When you stop, baton runs these commands in this worktree${verify.length > 0 ? ', besides the verify commands above' : ''}; each must exit 0:`
      : verify.length > 0
        ? 'When you stop, baton runs the verify commands above.'
        : 'Baton runs no check commands for this task.';
  return [
    '## How baton checks your work',
    '',
    intro,
    ...lines,
    '',
    "It also checks the scope rules below, the project's forbidden patterns and required files if it has any, and that the task branch changes something. " +
      'Run the commands yourself before you stop, and fix what fails. Saying the task is done does not make it done: only these checks do.',
  ].join('\n');
}

function scopeSection(allowed: readonly string[], protectedPaths: readonly string[]): string {
  const parts = ['## Scope'];
  parts.push(
    allowed.length > 0
      ? `Change only these paths (globs; a directory covers everything below it):\n${bulletLines(allowed.map(code))}\n` +
          'If the attempt changes anything else, baton reverts all of its changes and the attempt counts as failed.'
      : 'The task declares no paths; change only what it needs.',
  );
  if (protectedPaths.length > 0) parts.push(`Never change these paths, not even to fix a check:\n${bulletLines(protectedPaths.map(code))}`);
  parts.push(
    'Do not delete or empty test files: fix a failing test or the code it tests, never remove it. ' +
      `Do not edit ${code(CONFIG_FILE_NAME)} or the files that define baton's checks.`,
  );
  return parts.join('\n\n');
}

function rulesSection(reportPath: string): string {
  return [
    '## Rules',
    '',
    '- Do not commit, amend, rebase, push or switch branches: baton commits your work when its checks pass.',
    '- Do not edit, skip or remove existing tests, or change how the checks run (scripts, test config, hooks): baton compares every test with the base and reverts such changes.',
    `- Leave \`.baton/\` alone, except for writing the report file ${code(reportPath)} and notes for the task in ${code(NOTES_PATH)}.`,
    '- Work only in this worktree.',
    "- Files git ignores that you create or change (build output, installed packages) are removed before baton's checks run: the checks see what a commit would hold. To add a dependency, change the manifest (package.json, requirements.txt...); the project's setup installs it.",
    `- Do not run \`baton\` commands that change the board: baton's checks decide when the task is done. To leave a note on the task for the people and agents after you, write it to ${code(NOTES_PATH)}; baton adds it to the task when you stop.`,
  ].join('\n');
}

function reportSection(reportPath: string): string {
  return [
    '## Report',
    '',
    `Before you stop, write a JSON report to ${code(reportPath)} (create the directory if it is missing), like this:`,
    '',
    fenced(REPORT_EXAMPLE, 'json'),
    '',
    '`summary` is required (at most 2000 characters); `changes`, `tests` and `notes` are optional. ' +
      'The report goes into the commit message for the reviewer; it is not proof of anything: the checks are.',
  ].join('\n');
}

/** Enough for any real instructions file, small enough to keep the prompt far below the argument limit. */
export const MAX_INSTRUCTIONS_CHARS = 24_000;

function instructionsSection(instructions: PromptInput['instructions']): string | null {
  if (instructions === null || instructions.text.trim() === '') return null;
  const text = instructions.text.trimEnd();
  // The prompt travels as one command-line argument, which Linux caps at 128 KiB.
  if (text.length > MAX_INSTRUCTIONS_CHARS) {
    const cut = text.slice(0, MAX_INSTRUCTIONS_CHARS);
    return `## Repository instructions (${instructions.file})\n\nThe repository's ${instructions.file} begins, word for word (it is longer; read the rest in the worktree):\n\n${cut.slice(0, cut.lastIndexOf('\n') + 1 || cut.length)}`;
  }
  return `## Repository instructions (${instructions.file})\n\nThe repository's ${instructions.file} says, word for word:\n\n${text}`;
}

/** A section with a heading, a line saying what the list is, and a bullet per item; null when empty. */
function list(heading: string, intro: string, items: readonly string[]): string | null {
  return items.length === 0 ? null : `${heading}\n\n${intro}\n${bulletLines(items)}`;
}

function bulletLines(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

/** The end of a failure's detail: the last 60 lines, at most 4000 characters, saying what was left out. */
/**
 * A failure's detail as the judge chose it (the failing tests' own blocks, or the output around
 * its errors), kept whole up to a size; past it the middle goes, never the failure itself.
 */
function trimDetail(detail: string): string {
  const text = detail.replace(/\r\n?/g, '\n').trimEnd().replace(/^\n+/, '');
  if (text.length <= DETAIL_MAX_CHARS) return text;
  const head = text.slice(0, Math.floor(DETAIL_MAX_CHARS * 0.7));
  const tail = text.slice(-Math.floor(DETAIL_MAX_CHARS * 0.3));
  const dropped = text.length - head.length - tail.length;
  return `${head.slice(0, head.lastIndexOf('\n') + 1 || head.length)}[... ${dropped} characters left out ...]\n${tail.slice(tail.indexOf('\n') + 1)}`;
}

/** A fenced block whose fence no run of backticks in the text can close early. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return longest > 0 ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}

/** Keeps a multi-line note inside its bullet. */
function indentRest(text: string): string {
  return text.replace(/\n/g, '\n  ');
}
