import type { TestCaseResult, TestReport, TestStatus } from '../../core/run/test-results.js';
import { assertionValues } from './assertion-values.js';
import { junitRegion } from './detect-format.js';
import { firstRepositoryFrame, isFrameLine, repositoryLocation, repositoryPath, type ReaderOptions } from './source-location.js';
import { attribute, childElements, parseXml, tagOf, textOf, type XmlNode } from './xml-elements.js';

/**
 * The flavours whose naming differs. node's reporter nests a `<testsuite>` per describe and
 * writes `classname="test"` on every case; pytest puts all cases under one suite named
 * `pytest` and writes the module and class as a dotted classname; the rest (vitest, jest-junit,
 * mocha-junit-reporter) name suites after files or repeat the suite titles in the case name.
 */
type Flavour = 'node' | 'pytest' | 'other';
const NODE_CLASSNAME = 'test';
/** Suite names that name the runner, not a group of tests. */
const RUNNER_SUITES = new Set(['pytest', 'root suite', 'jest tests', 'vitest tests', 'mocha tests']);
const SOURCE_FILE = /[\\/]|\.(?:[cm]?[jt]sx?|mts|cts|py|rb|go|rs|java|kt|php|cs|ex|exs)$/;

interface Suite {
  names: string[];
  file: string | null;
}

/**
 * Reads JUnit XML: `<testsuites>/<testsuite>/<testcase>` with `<failure>`, `<error>` and
 * `<skipped/>` (`type="todo"` from node's reporter is a todo), suites nested to any depth, as
 * vitest, node's `--test-reporter=junit`, pytest's `--junitxml`, jest-junit and
 * mocha-junit-reporter write it. The document may sit inside other output. Null when there is
 * no such document or it cannot be read.
 */
export function readJunitReport(xml: string, options: ReaderOptions = {}): TestReport | null {
  const region = junitRegion(xml);
  const document = region === null ? null : parseXml(region);
  const top = document?.filter((node) => tagOf(node) === 'testsuites' || tagOf(node) === 'testsuite') ?? [];
  if (top.length === 0) return null;
  const flavour = flavourOf(top);
  const tests: TestCaseResult[] = [];
  const visit = (nodes: readonly XmlNode[], suite: Suite): void => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === 'testcase') tests.push(testCase(node, suite, flavour, options.root));
      else if (tag === 'testsuites') visit(childElements(node), suite);
      else if (tag === 'testsuite') {
        const name = attribute(node, 'name') ?? '';
        visit(childElements(node), { names: name === '' ? suite.names : [...suite.names, name], file: attribute(node, 'file') ?? suite.file });
      }
    }
  };
  visit(top, { names: [], file: null });
  return { format: 'junit', tests };
}

function flavourOf(top: readonly XmlNode[]): Flavour {
  let cases = 0;
  let nodeCases = 0;
  let pytest = false;
  const gather = (node: XmlNode): void => {
    const tag = tagOf(node);
    if (tag === 'testcase') {
      cases += 1;
      if (attribute(node, 'classname') === NODE_CLASSNAME) nodeCases += 1;
      return;
    }
    if (tag === 'testsuite' && attribute(node, 'name') === 'pytest') pytest = true;
    childElements(node).forEach(gather);
  };
  top.forEach(gather);
  if (pytest) return 'pytest';
  return cases > 0 && nodeCases === cases ? 'node' : 'other';
}

function testCase(node: XmlNode, suite: Suite, flavour: Flavour, root: string | undefined): TestCaseResult {
  const { file, name } = identity(node, suite, flavour, root);
  const failure = childElements(node, 'failure')[0] ?? childElements(node, 'error')[0];
  const skipped = childElements(node, 'skipped')[0];
  const status: TestStatus = failure !== undefined ? 'failed' : skipped === undefined ? 'passed' : attribute(skipped, 'type') === 'todo' ? 'todo' : 'skipped';
  if (failure === undefined) return { file, name, status, message: null, expected: null, actual: null, location: null, block: '' };

  const body = trimBlankLines(textOf(failure));
  const message = fullMessage(attribute(failure, 'message'), body) ?? attribute(failure, 'type') ?? null;
  const values = assertionValues(message, body);
  const line = attribute(node, 'line');
  const declared = file !== null && line !== undefined ? `${file}:${line}` : null;
  const location = firstRepositoryFrame(body, root) ?? declared;
  const output = ['system-out', 'system-err'].flatMap((tag) => childElements(node, tag).map((out) => trimBlankLines(textOf(out)))).filter((out) => out !== '');
  const block = [body === '' ? (message ?? '') : body, ...output.map((out) => `[output]\n${out}`)].join('\n');
  return { file, name, status, message, expected: values.expected, actual: values.actual, location: location === null ? null : repositoryLocation(location, root), block };
}

/** The file and the full name, suite path first, leaving out suites that only repeat the file, the runner or the case's own name. */
function identity(node: XmlNode, suite: Suite, flavour: Flavour, root: string | undefined): { file: string | null; name: string } {
  const caseName = (attribute(node, 'name') ?? '').trim();
  const classname = (attribute(node, 'classname') ?? '').trim();
  let file = attribute(node, 'file') ?? suite.file;
  if (flavour === 'node') return { file: file === null ? null : repositoryPath(file, root), name: [...suite.names, caseName].join(' > ') };

  const classPath: string[] = [];
  // mocha-junit-reporter's classname is the test's own title, the end of its full name.
  if (classname !== '' && !repeatsTitle(caseName, classname) && !caseName.endsWith(` ${classname}`)) {
    if (SOURCE_FILE.test(classname) && !/\s/.test(classname)) file ??= classname;
    else if (flavour === 'pytest' && /^[\w.]+$/.test(classname)) {
      const parts = classname.split('.');
      const firstClass = parts.findIndex((part) => /^[A-Z]/.test(part));
      const modules = firstClass < 0 ? parts : parts.slice(0, firstClass);
      file ??= `${modules.join('/')}.py`;
      if (firstClass >= 0) classPath.push(...parts.slice(firstClass));
    } else classPath.push(classname);
  }
  const suites = suite.names.filter((name) => {
    if (RUNNER_SUITES.has(name.toLowerCase()) || name === classname || name === file) return false;
    if (SOURCE_FILE.test(name) && !/\s/.test(name)) {
      file ??= name;
      return false;
    }
    return !repeatsTitle(caseName, name);
  });
  return { file: file === null ? null : repositoryPath(file, root), name: [...suites, ...classPath, caseName].join(' > ') };
}

/** Whether a case's name already holds a suite's title (mocha and jest-junit write full titles): at its start, or in the middle. */
function repeatsTitle(caseName: string, title: string): boolean {
  return caseName === title || caseName.startsWith(`${title} `) || caseName.includes(` ${title} `);
}

/**
 * The message with its line breaks: node's reporter flattens them in the `message` attribute
 * but prints the message whole in the body, so the body's lines whose text joins to the
 * attribute are used instead. The attribute as it is otherwise; without one, the body up to
 * its first stack frame.
 */
function fullMessage(attributeMessage: string | undefined, body: string): string | null {
  if (attributeMessage === undefined || attributeMessage.trim() === '') {
    const lines = body.split('\n');
    const end = lines.findIndex(isFrameLine);
    const head = trimBlankLines(lines.slice(0, end < 0 ? Math.min(lines.length, 20) : end).join('\n'));
    return head === '' ? null : head;
  }
  if (attributeMessage.includes('\n') || body.includes(attributeMessage)) return attributeMessage;
  return linesJoiningTo(attributeMessage, body) ?? attributeMessage;
}

const ERROR_PREFIX = /^\s*\[?(?:cause:\s*)?(?:\w*Error(?: \[\w+\])?:\s*)?/;

function linesJoiningTo(target: string, body: string): string | null {
  const squash = (value: string): string => value.replace(/\s+/g, '');
  const wanted = squash(target);
  const lines = body.split('\n');
  for (let start = 0; start < lines.length; start++) {
    const first = (lines[start] as string).replace(ERROR_PREFIX, '');
    if (first.trim() === '' || !wanted.startsWith(squash(first))) continue;
    let joined = squash(first);
    for (let end = start; ; end++) {
      if (joined === wanted) return dedent([first, ...lines.slice(start + 1, end + 1)]);
      if (end + 1 >= lines.length) break;
      joined += squash(lines[end + 1] as string);
      if (!wanted.startsWith(joined)) break;
    }
  }
  return null;
}

/** The lines without the indentation they share (the first line's own was cut already). */
function dedent(lines: readonly string[]): string {
  const rest = lines.slice(1).filter((line) => line.trim() !== '');
  const indent = Math.min(...rest.map((line) => /^\s*/.exec(line)?.[0].length ?? 0));
  const cut = Number.isFinite(indent) ? indent : 0;
  return [lines[0]?.trim() ?? '', ...lines.slice(1).map((line) => line.slice(Math.min(cut, /^\s*/.exec(line)?.[0].length ?? 0)))].join('\n').trimEnd();
}

function trimBlankLines(value: string): string {
  return value.replace(/^\s*\n/, '').trimEnd();
}
