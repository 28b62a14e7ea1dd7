import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { spawnBaton, type RunningBaton } from './baton.js';

/** A real `baton serve --port 0` on a repository's board, and how to reach it. */
export interface Served {
  baton: RunningBaton;
  port: number;
  url: string;
  token: string;
  tokenFile: string;
  /** A request with the token and an actor, as an agent's client sends it. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** Every server started and not yet stopped: a test that times out leaves its server here for `stopAllServes`. */
const running = new Set<Served>();

/** Stops every server a test file left running (call it in afterAll). */
export async function stopAllServes(): Promise<void> {
  await Promise.all([...running].map((served) => served.stop()));
}

export async function startServe(dir: string, extraArgs: readonly string[] = [], env: Record<string, string | undefined> = {}): Promise<Served> {
  const baton = spawnBaton(['serve', '--port', '0', '--json', ...extraArgs], { cwd: dir, env });
  const lines = await baton.waitFor((line) => line.includes('"port"'), 20_000).catch(async (error: unknown) => {
    baton.stop();
    throw new Error(`baton serve did not start: ${String(error)}\n${(await baton.exited).stderr}`);
  });
  const started = JSON.parse(lines.find((line) => line.includes('"port"')) as string) as { url: string; port: number; tokenFile: string };
  const token = readFileSync(started.tokenFile, 'utf8').trim();
  const served: Served = {
    baton,
    port: started.port,
    url: started.url,
    token,
    tokenFile: started.tokenFile,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${started.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'x-baton-actor': 'alice', 'content-type': 'application/json', ...headers },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async stop() {
      running.delete(served);
      baton.stop();
      await baton.exited;
    },
  };
  running.add(served);
  return served;
}

/** A raw GET with any Host header (fetch keeps Host to the URL's). */
export function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function boardDir(dir: string): string {
  return join(dir, '.git', 'baton');
}
