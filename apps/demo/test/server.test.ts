import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from '../src/server';

const site = mkdtempSync(join(tmpdir(), 'rrm-demo-site-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(site, 'b.wasm'), new Uint8Array([0, 97, 115, 109]));
// A secret outside the served folder, reachable through links inside it.
const outside = mkdtempSync(join(tmpdir(), 'rrm-demo-outside-'));
writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET');
symlinkSync(join(outside, 'secret.txt'), join(site, 'link.txt'));
mkdirSync(join(site, 'sub'));
symlinkSync(outside, join(site, 'sub', 'dir'));
afterAll(() => {
  rmSync(site, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('the static server', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic(site);
  });
  afterAll(() => server.close());

  it('serves index.html at / and WebAssembly with its MIME type', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(server.url);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>t</title>');
    const wasm = await fetch(`${server.url}b.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('answers 404 for missing files and for paths outside its folder', async () => {
    expect((await fetch(`${server.url}nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('answers 400 to a malformed escape and keeps serving', async () => {
    const bad = await fetch(`${server.url}%ff`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('malformed URL escape');
    expect((await fetch(`${server.url}b.wasm`)).status).toBe(200);
  });

  it('does not follow symbolic links inside its folder', async () => {
    for (const path of ['link.txt', 'sub/dir/secret.txt']) {
      const r = await fetch(`${server.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(await r.text()).not.toContain('TOP-SECRET');
    }
  });

  it('refuses a folder without a built app', async () => {
    await expect(serveStatic(tmpdir() + '/no-such-demo')).rejects.toThrow(
      'index.html not found: build the demo first',
    );
  });
});

describe('rrm-demo', () => {
  it('serves a folder and prints the URL to open', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--dir', site, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /open (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`rrm-demo exited with ${code}: ${out}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('rejects a bad port with a readable message', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain("rrm-demo: --port: expected an integer 0..65535, got 'eighty'");
  });
});
