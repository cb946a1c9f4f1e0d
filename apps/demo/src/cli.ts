#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStatic } from './server';

const USAGE = `usage: rrm-demo [--host 127.0.0.1] [--port 5178] [--dir <built app>]

Serves the built demo (dist/web beside this script) on localhost and prints its URL.
Build it first with \`pnpm --filter @rrm/app-demo run build\` (\`pnpm demo\` does both).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5178' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: expected an integer 0..65535, got '${values.port}'`);
  }
  // dist/cli.js serves its sibling dist/web.
  const root = values.dir ?? fileURLToPath(new URL('./web/', import.meta.url));
  const server = await serveStatic(root, { host: values.host, port });
  console.log(`rrm-demo: serving ${root}`);
  console.log(`rrm-demo: open ${server.url}  (Ctrl+C to stop)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: Error) => {
  console.error(`rrm-demo: ${e.message}`);
  process.exit(1);
});
