import { describe, expect, it } from 'vitest';
import { AcpUpdateReader } from './acp-updates.js';
import { NO_TOKENS } from './agent-event.js';
import { createStreamParser, STREAM_FAMILIES } from './create-parser.js';
import { CumulativeUsage } from './cumulative-usage.js';
import { parseClaudeDocument, parseGeminiDocument } from './single-document.js';

/** Lines each family knows by type, with fields of the wrong shape or missing. */
const MISSHAPEN = [
  '{"type":"system","subtype":"init","session_id":42}',
  '{"type":"assistant","message":"not an object"}',
  '{"type":"assistant","message":{"content":[null,1,"x",{"type":"tool_use"}]}}',
  '{"type":"user","message":{"content":"a plain prompt"}}',
  '{"type":"result","usage":"lots","permission_denials":{"a":1},"errors":[1,2]}',
  '{"type":"item.completed","item":null}',
  '{"type":"turn.completed","usage":[1,2]}',
  '{"type":"turn.failed"}',
  '{"type":"tool_use","part":{"state":"done"}}',
  '{"type":"step_finish","part":{"tokens":{"input":"many"}}}',
  '{"type":"error","error":"boom"}',
  '{"type":"message","role":"assistant","content":{"a":1}}',
];

describe.each(STREAM_FAMILIES)('the %s parser on bad input', (family) => {
  it('keeps a line that is not JSON, or not an object, as an unknown event', () => {
    const parser = createStreamParser(family);
    expect(parser.parseLine('Loaded cached credentials.')).toEqual([{ kind: 'unknown', reason: 'not_json', line: 'Loaded cached credentials.' }]);
    expect(parser.parseLine('{"type":"result",')).toEqual([{ kind: 'unknown', reason: 'not_json', line: '{"type":"result",' }]);
    expect(parser.parseLine('[1,2]')).toEqual([{ kind: 'unknown', reason: 'not_an_object', line: '[1,2]' }]);
    expect(parser.parseLine('null')).toEqual([{ kind: 'unknown', reason: 'not_an_object', line: 'null' }]);
  });

  it('keeps an event type it does not know as an unknown event', () => {
    const line = '{"type":"brand_new_event","sessionID":"s","payload":{}}';
    expect(createStreamParser(family).parseLine(line)).toEqual([{ kind: 'unknown', reason: 'unknown_type', line }]);
    expect(createStreamParser(family).parseLine('{"no_type":true}')).toEqual([{ kind: 'unknown', reason: 'unknown_type', line: '{"no_type":true}' }]);
  });

  it('never throws on known types with fields of the wrong shape', () => {
    const parser = createStreamParser(family);
    for (const line of MISSHAPEN) expect(() => parser.parseLine(line)).not.toThrow();
    expect(() => parser.end()).not.toThrow();
  });
});

describe('single documents and ACP updates on bad input', () => {
  it('keeps an unreadable document as an unknown event', () => {
    expect(parseClaudeDocument('Error: not logged in')).toEqual([{ kind: 'unknown', reason: 'not_json', line: 'Error: not logged in' }]);
    expect(parseClaudeDocument('{"type":"assistant"}')).toEqual([{ kind: 'unknown', reason: 'unknown_type', line: '{"type":"assistant"}' }]);
    expect(parseGeminiDocument('[]')).toEqual([{ kind: 'unknown', reason: 'not_an_object', line: '[]' }]);
  });

  it('reads a failed Gemini document as a finished error with its status code', () => {
    const events = parseGeminiDocument('{"session_id":"s","error":{"type":"ApiError","message":"quota exceeded","code":429}}');
    expect(events.at(-1)).toEqual({ kind: 'finished', status: 'error', message: 'quota exceeded', httpStatus: 429, deniedTools: [], turns: null });
  });

  it('keeps an ACP update it does not know, and ignores a malformed one without throwing', () => {
    const reader = new AcpUpdateReader();
    expect(reader.update({ sessionUpdate: 'hologram', x: 1 })).toEqual([{ kind: 'unknown', reason: 'unknown_type', line: '{"sessionUpdate":"hologram","x":1}' }]);
    expect(reader.update('text')).toEqual([{ kind: 'unknown', reason: 'not_an_object', line: '"text"' }]);
    expect(reader.update({ sessionUpdate: 'tool_call_update', status: 'failed' })).toEqual([
      { kind: 'tool_call', id: '', name: 'unknown', input: {} },
      { kind: 'tool_result', id: '', isError: true, output: '' },
    ]);
    expect(reader.promptFinished(null).at(-1)).toMatchObject({ kind: 'finished', status: 'error', message: 'the agent stopped: unknown' });
  });
});

describe('CumulativeUsage', () => {
  it('turns running totals into deltas, and a total that went down into a new session', () => {
    const usage = new CumulativeUsage({ inputTokens: 100, outputTokens: 10, cachedTokens: 0 });
    expect(usage.advance({ inputTokens: 250, outputTokens: 30, cachedTokens: 5 })).toEqual({ kind: 'usage', inputTokens: 150, outputTokens: 20, cachedTokens: 5 });
    expect(usage.advance({ inputTokens: 40, outputTokens: 4, cachedTokens: 0 })).toEqual({ kind: 'usage', inputTokens: 40, outputTokens: 4, cachedTokens: 0 });
    expect(usage.totals()).toEqual({ inputTokens: 40, outputTokens: 4, cachedTokens: 0 });
    expect(new CumulativeUsage().totals()).toEqual(NO_TOKENS);
  });
});
