// `npm run build` step: out/main/cli.js is the `evalnotes` bin, so it needs a
// node shebang and the executable bit (npm links it as is on `npm install -g`).
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const SHEBANG = '#!/usr/bin/env node';
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'main', 'cli.js');

if (!existsSync(cli)) {
  process.stderr.write('Cannot mark the CLI executable: out/main/cli.js is missing, so `electron-vite build` did not produce it.\n');
  process.exit(1);
}

const source = readFileSync(cli, 'utf8');
if (!source.startsWith(`${SHEBANG}\n`)) {
  // Replace any other shebang the bundler kept rather than stacking two.
  const body = source.startsWith('#!') ? source.slice(source.indexOf('\n') + 1) : source;
  writeFileSync(cli, `${SHEBANG}\n${body}`);
}
chmodSync(cli, 0o755);
