/**
 * `baton serve` against a hostile neighbour: another user of a group-writable board folder, a
 * run folder that is a symlink, a page of another site that reaches the server blind
 * (no-cors), a client that names its actor in UTF-8. Real requests against the built binary.
 */
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, json, makeRepo, spawnBaton } from './helpers/baton.js';
import { boardDir, rawGet, startServe, stopAllServes, type Served } from './helpers/serve.js';

const repo = makeRepo('baton-serve-adversary-');
let served: Served;

beforeAll(async () => {
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  expect(baton(['add', 'Target'], { cwd: repo.dir }).code).toBe(0);
  // A file of the user's that a symlink planted as serve-token points at, before the server starts.
  writeFileSync(join(repo.dir, 'precious.txt'), 'precious\n');
  symlinkSync(join(repo.dir, 'precious.txt'), join(boardDir(repo.dir), 'serve-token'));
  served = await startServe(repo.dir);
}, 60_000);

afterAll(async () => {
  await stopAllServes();
  repo.cleanup();
});

/** A POST whose actor header is the bytes given, on a socket of its own (an HTTP client would encode them its way). */
function rawPost(path: string, actor: Buffer, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nAuthorization: Bearer ${served.token}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\nConnection: close\r\nX-Baton-Actor: `;
  return new Promise((resolve, reject) => {
    const socket = connect(served.port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head), actor, Buffer.from('\r\n\r\n'), payload])));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
      resolve({ status, body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown> });
    });
  });
}

describe('the token file', () => {
  it('a symlink planted in its place is replaced, never followed: the file it pointed at is untouched', () => {
    expect(readFileSync(join(repo.dir, 'precious.txt'), 'utf8')).toBe('precious\n');
    expect(statSync(join(repo.dir, 'precious.txt')).mode & 0o777).not.toBe(0o600);
    const token = lstatSync(served.tokenFile);
    expect(token.isFile()).toBe(true);
    expect(token.mode & 0o777).toBe(0o600);
    expect(readFileSync(served.tokenFile, 'utf8').trim()).toBe(served.token);
  });
});

describe('a second baton serve on a port in use', () => {
  it('fails without touching the running server\'s token file', async () => {
    const second = spawnBaton(['serve', '--port', String(served.port)], { cwd: repo.dir });
    expect((await second.exited).code).toBe(1);
    expect(readFileSync(served.tokenFile, 'utf8').trim()).toBe(served.token);
  }, 30_000);
});

describe('evidence behind a symlinked folder', () => {
  it('a run folder, or a task folder, that is a symlink out of runs/ is not there (404)', async () => {
    const runs = join(boardDir(repo.dir), 'runs');
    const outside = join(repo.dir, 'outside');
    mkdirSync(join(outside, '1', 'attempt-1'), { recursive: true });
    writeFileSync(join(outside, '1', 'attempt-1', 'prompt.md'), 'not evidence\n');
    mkdirSync(join(runs, '1', '1', 'attempt-1'), { recursive: true });
    writeFileSync(join(runs, '1', '1', 'attempt-1', 'prompt.md'), 'evidence\n');
    symlinkSync(join(outside, '1'), join(runs, '1', '2'));
    symlinkSync(outside, join(runs, '2'));
    const read = (path: string): Promise<{ status: number; body: string }> => rawGet(served.port, path, { host: `127.0.0.1:${served.port}` });
    expect(await read('/api/runs/1/1/files/attempt-1/prompt.md')).toEqual({ status: 200, body: 'evidence\n' });
    expect((await read('/api/runs/1/2/files/attempt-1/prompt.md')).status).toBe(404);
    expect((await read('/api/runs/2/1/files/attempt-1/prompt.md')).status).toBe(404);
  });
});

describe('a page of another site, reaching the server without CORS', () => {
  it('Sec-Fetch-Site cross-site or same-site is refused (403) even with no Origin; same-origin, none, or no header pass', async () => {
    const get = async (site: string | undefined): Promise<number> =>
      (await rawGet(served.port, '/api/tasks', { host: `127.0.0.1:${served.port}`, ...(site !== undefined && { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' }) })).status;
    expect(await get('cross-site')).toBe(403);
    expect(await get('same-site')).toBe(403);
    expect(await get('same-origin')).toBe(200);
    expect(await get('none')).toBe(200);
    expect(await get(undefined)).toBe(200);
    const stream = await rawGet(served.port, '/api/events/stream', { host: `127.0.0.1:${served.port}`, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' });
    expect(stream.status).toBe(403);
  });
});

describe('the actor header', () => {
  it('a name sent in UTF-8 is recorded as that name, as --as records it; one sent in Latin-1 too', async () => {
    const utf8 = await rawPost('/api/tasks', Buffer.from('jösé', 'utf8'), { title: 'by jose' });
    expect(utf8.status).toBe(201);
    expect((utf8.body.task as { createdBy: string }).createdBy).toBe('jösé');
    const latin1 = await rawPost('/api/tasks', Buffer.from('jösé', 'latin1'), { title: 'by jose too' });
    expect(latin1.status).toBe(201);
    expect((latin1.body.task as { createdBy: string }).createdBy).toBe('jösé');
    const shown = json<{ task: { createdBy: string } }>(baton(['show', String((utf8.body.task as { id: number }).id), '--json'], { cwd: repo.dir }));
    expect(shown.task.createdBy).toBe('jösé');
  });

  it('a bidi override or a C1 control in the name is refused (400), in UTF-8 or not', async () => {
    for (const name of [Buffer.from('a\u202eb', 'utf8'), Buffer.from('a\u009b31mb', 'utf8'), Buffer.from([0x61, 0x9b, 0x62])]) {
      const refused = await rawPost('/api/tasks', name, { title: 'spoof' });
      expect(refused.status).toBe(400);
      expect((refused.body.error as { code: string }).code).toBe('INVALID_INPUT');
    }
  });
});

/** An event stream held open (its response not read further), and how to let it go. */
function openStream(): Promise<{ status: number; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = get({ host: '127.0.0.1', port: served.port, path: '/api/events/stream?after=1000000', agent: false }, (res: IncomingMessage) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('many idle event streams', () => {
  it('past 100 open at once a new one is refused (503 BUSY); once one closes, a new one is served', async () => {
    const streams = await Promise.all(Array.from({ length: 100 }, () => openStream()));
    try {
      expect(streams.every((stream) => stream.status === 200)).toBe(true);
      const refused = await fetch(`${served.url}/api/events/stream`);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('BUSY');
      // Other requests are still answered.
      expect((await fetch(`${served.url}/api/tasks`)).status).toBe(200);
      streams.pop()?.close();
      let again = await openStream();
      for (let tries = 0; again.status !== 200 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        again = await openStream();
      }
      expect(again.status).toBe(200);
      streams.push(again);
    } finally {
      for (const stream of streams) stream.close();
    }
    // The server learns of the closes a moment later: the next test starts once a stream is served again.
    for (let tries = 0; tries < 100; tries++) {
      const probe = await openStream();
      probe.close();
      if (probe.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);
});

describe('HEAD of the event stream', () => {
  it('answers the headers and ends: 150 HEAD requests leave no stream open behind them', async () => {
    for (let index = 0; index < 150; index++) {
      const head = await fetch(`${served.url}/api/events/stream`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    }
    const stream = await openStream();
    stream.close();
    expect(stream.status).toBe(200);
  }, 30_000);
});

describe('inside `baton run`', () => {
  it('baton serve is refused as the commands that write the board are: its POST routes would write it all the same', async () => {
    const inside = spawnBaton(['serve', '--port', '0', '--json'], { cwd: repo.dir, env: { BATON_RUN_TASK: '1' } });
    const timer = setTimeout(() => inside.stop(), 10_000);
    const { code } = await inside.exited;
    clearTimeout(timer);
    const output = inside.lines.join('\n');
    expect(output).not.toContain('"port"');
    expect(code).not.toBe(0);
    expect(output).toContain('ILLEGAL_TRANSITION');
    expect(output).toContain('`baton serve` is not for an agent inside `baton run` (task #1)');
  }, 30_000);
});

describe('evidence read by clients that stop reading', () => {
  it('100 of them on a 7 MB file do not hold the file 100 times in the server\'s memory', async () => {
    const folder = join(boardDir(repo.dir), 'runs', '1', '1', 'attempt-1');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'transcript.log'), `${'x'.repeat(99)}\n`.repeat(70_000));
    const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${served.baton.pid}/status`, 'utf8'))?.[1]) * 1024;
    const before = rss();
    const stalled: ClientRequest[] = [];
    await Promise.all(
      Array.from({ length: 100 }, () =>
        new Promise<void>((resolve, reject) => {
          const req = get({ host: '127.0.0.1', port: served.port, path: '/api/runs/1/1/files/attempt-1/transcript.log', agent: false }, (res) => {
            expect(res.statusCode).toBe(200);
            res.pause();
            resolve();
          });
          req.on('error', reject);
          stalled.push(req);
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const grown = rss() - before;
    for (const req of stalled) req.destroy();
    // Read whole, 100 copies are 700 MB; streamed, each waits on its socket with a chunk or two.
    expect(grown).toBeLessThan(200 * 1024 * 1024);
    const whole = await rawGet(served.port, '/api/runs/1/1/files/attempt-1/transcript.log', { host: `127.0.0.1:${served.port}` });
    expect(whole.body.length).toBe(7_000_000);
  }, 60_000);
});
