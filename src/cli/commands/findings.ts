import { inbox, settleFinding } from '../../app/findings.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { paint, type Paint } from '../output.js';
import { quoted } from '../../core/quoted.js';

export function findingLine(finding: Finding, p: Paint): string {
  const severity = finding.severity === 'high' ? p.red(finding.severity) : finding.severity === 'medium' ? p.yellow(finding.severity) : finding.severity;
  const state = finding.status === 'open' ? '' : p.dim(` (${finding.status})`);
  return `[${finding.id}] ${severity} ${p.bold(finding.kind)} #${finding.taskId} → ${finding.recipient ?? 'unassigned'}: ${finding.message}${state}`;
}

export function findingId(text: string | undefined): number {
  if (text === undefined || !/^\d{1,15}$/.test(text.trim()) || Number(text) === 0) {
    throw new InvalidInputError('ID', `${quoted(text ?? '')} is not a finding id; ids are shown by \`baton inbox\``);
  }
  return Number(text);
}

export const inboxCommand: CommandSpec = {
  name: 'inbox',
  summary: 'findings addressed to me that are not acknowledged yet',
  board: 'read',
  args: [],
  options: [
    { name: 'me', kind: 'boolean', help: 'mine (the default)', conflicts: ['all'] },
    { name: 'all', kind: 'boolean', help: "every agent's findings" },
    { name: 'history', kind: 'boolean', help: 'include acknowledged and resolved findings' },
  ],
  async run(ctx, { options }) {
    const findings = await inbox(await ctx.deps(), { all: flag(options, 'all'), history: flag(options, 'history') });
    const p = paint(ctx.color);
    return { json: { findings, count: findings.length }, text: findings.length === 0 ? 'inbox empty' : findings.map((f) => findingLine(f, p)).join('\n') };
  },
};

function settleCommand(name: 'ack' | 'resolve', to: 'acknowledged' | 'resolved', summary: string): CommandSpec {
  return {
    name,
    summary,
    args: [{ name: 'ID', required: true }],
    options: [
      { name: 'message', short: 'm', kind: 'string', value: 'TEXT', help: 'what you will do about it' },
      { name: 'force', kind: 'boolean', help: 'settle a finding addressed to another agent (recorded)' },
    ],
    async run(ctx, { args, options }) {
      const finding = await settleFinding(await ctx.deps(), findingId(args[0]), to, {
        message: stringOption(options, 'message') ?? null,
        force: flag(options, 'force'),
      });
      return { json: { finding }, text: `${to} ${findingLine(finding, paint(ctx.color))}` };
    },
  };
}

export const ackCommand = settleCommand('ack', 'acknowledged', 'acknowledge a finding: seen, and handled in my task');
export const resolveCommand = settleCommand('resolve', 'resolved', 'mark a finding resolved');
