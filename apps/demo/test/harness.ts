import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { type StaticServer, serveStatic } from '../src/server';

export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIR = fileURLToPath(new URL('../dist/web/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Debian's Chromium (CI installs it with apt); Playwright never downloads a browser here. */
export const CHROMIUM = process.env.RRM_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

export interface DemoPage {
  page: Page;
  /** Console errors and uncaught exceptions seen in the page. */
  errors: string[];
  /** Every URL the page requested (to check that nothing leaves the local server). */
  requests: string[];
}

export interface DemoSession {
  server: StaticServer;
  browser: Browser;
  /**
   * Opens the app (`query` such as `?backend=cpu`; a phone-sized `viewport` if given) and
   * waits until it has started.
   */
  open(query?: string, viewport?: { width: number; height: number }): Promise<DemoPage>;
  close(): Promise<void>;
}

/** Builds the app with Vite exactly as `pnpm run build` does. */
export async function buildApp(): Promise<void> {
  await build({ root: APP_DIR, configFile: `${APP_DIR}/vite.config.ts`, logLevel: 'warn' });
}

/**
 * Serves dist/web on 127.0.0.1 and starts headless Chromium: without a GPU, or with
 * `webgpu` with the WebGPU adapter headless Chromium emulates on the CPU (SwiftShader).
 */
export async function startDemo(opts: { webgpu?: boolean } = {}): Promise<DemoSession> {
  const server = await serveStatic(WEB_DIR, { host: '127.0.0.1', port: 0 });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: opts.webgpu
        ? [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu']
        : CHROMIUM_ARGS,
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    async open(query = '', viewport = { width: 1280, height: 900 }) {
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${server.url}${query}`);
      await page.waitForSelector('body[data-status="ready"]', { timeout: 60_000 });
      return { page, errors, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
