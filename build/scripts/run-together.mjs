// `npm test`'s checks: the named npm scripts run at once (the type check and the
// lint are each one core's work, and a review machine has two), each one's output
// printed whole when it ends so the two never interleave. Fails if any fails.
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import process from 'node:process';

const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write('usage: node build/scripts/run-together.mjs SCRIPT [SCRIPT …]\n');
  process.exit(2);
}

function run(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: [Buffer.from(`${error.message}\n`)] }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output }));
  });
}

const results = await Promise.all(names.map(run));
for (const { name, code, output } of results) {
  process.stdout.write(Buffer.concat(output));
  process.stdout.write(code === 0 ? `✓ npm run ${name}\n` : `✗ npm run ${name} failed (exit ${code})\n`);
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
