import { AppError } from '../../shared/result';

/**
 * The passphrase for scripts comes from EVALNOTES_PASSPHRASE; people type it at a
 * prompt that echoes nothing.
 */
export async function readPassphrase(question: string, opts: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = process.env.EVALNOTES_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new AppError('INVALID_INPUT', 'No passphrase: set EVALNOTES_PASSPHRASE or run this command in a terminal.');
  }
  const first = await promptHidden(question);
  if (opts.confirm) {
    const second = await promptHidden('Repeat the passphrase: ');
    if (second !== first) throw new AppError('INVALID_INPUT', 'The two passphrases differ; nothing was changed.');
  }
  return first;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: AppError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new AppError('CANCELLED', 'Cancelled; nothing was changed.'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
