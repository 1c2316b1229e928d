import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanForCredentials, scanValue } from '../../../main/importers/credentials';
import { parseJsonWithNonFinite } from '../../../main/importers/jsonWithNonFinite';
import { filesIn, lmEvalDir, sharedFixtures } from './lmEvalFixtures';

/**
 * Synthetic tokens only, assembled at run time from pieces so that the
 * repository itself holds nothing a secret scanner would flag.
 */
const alnum = (n: number, seed: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  let block = createHash('sha256').update(seed).digest();
  while (out.length < n) {
    for (const b of block) if (out.length < n) out += alphabet[b % alphabet.length];
    block = createHash('sha256').update(block).digest();
  }
  return out;
};
const letters = (n: number, seed: string) => alnum(n * 3, seed).replace(/[0-9]/g, '').slice(0, n);
const upperAlnum = (n: number, seed: string) => alnum(n, seed).toUpperCase();

const positives: { kind: string; secret: string; context: (s: string) => string }[] = [
  { kind: 'openai-api-key', secret: 's' + 'k-' + 'proj-' + alnum(48, 'oa1') + '_' + alnum(20, 'oa2'), context: (s) => `OPENAI_API_KEY=${s}` },
  { kind: 'openai-api-key', secret: 's' + 'k-' + alnum(48, 'oa3'), context: (s) => `"api_key": "${s}"` },
  { kind: 'anthropic-api-key', secret: 's' + 'k-ant-' + 'api03-' + alnum(93, 'an1') + '-' + alnum(6, 'an2') + 'AA', context: (s) => `key ${s}.` },
  { kind: 'google-api-key', secret: 'AI' + 'za' + 'Sy' + alnum(33, 'go1'), context: (s) => `?key=${s}&q=1` },
  { kind: 'huggingface-token', secret: 'h' + 'f_' + letters(34, 'hf1'), context: (s) => `token: '${s}'` },
  { kind: 'github-token', secret: 'gh' + 'p_' + alnum(36, 'gh1'), context: (s) => `https://${s}@github.com/org/repo` },
  { kind: 'github-token', secret: 'gh' + 's_' + alnum(36, 'gh2'), context: (s) => `GITHUB_TOKEN=${s}` },
  { kind: 'github-token', secret: 'github' + '_pat_' + alnum(22, 'gp1') + '_' + alnum(59, 'gp2'), context: (s) => `(${s})` },
  { kind: 'aws-access-key-id', secret: 'AK' + 'IA' + upperAlnum(16, 'aw1').replace(/^[A-Z]/, '7'), context: (s) => `aws_access_key_id = ${s}` },
  { kind: 'aws-secret-access-key', secret: alnum(20, 'as1') + '/' + alnum(19, 'as2'), context: (s) => `aws_secret_access_key = ${s}\n` },
  { kind: 'aws-secret-access-key', secret: alnum(30, 'as3') + '+' + alnum(9, 'as4'), context: (s) => `{"AWS_SECRET_ACCESS_KEY": "${s}"}` },
  // Every spelling of the key name, so the quick pre-check that skips most strings never skips one of these.
  { kind: 'aws-secret-access-key', secret: alnum(40, 'as5'), context: (s) => `aws_secret_key: ${s}` },
  { kind: 'aws-secret-access-key', secret: alnum(40, 'as6'), context: (s) => `AWS_SECRET_KEY=${s}` },
  { kind: 'aws-secret-access-key', secret: alnum(40, 'as7'), context: (s) => `SecretAccessKey: "${s}"` },
  { kind: 'aws-secret-access-key', secret: alnum(40, 'as8'), context: (s) => `secretAccessKey='${s}'` },
  { kind: 'slack-token', secret: 'xo' + 'xb-' + '123456789012-' + '1234567890123-' + alnum(24, 'sl1'), context: (s) => `slack ${s}` },
  { kind: 'private-key', secret: '-----BEGIN ' + 'RSA PRIVATE' + ' KEY-----', context: (s) => `${s}\nMIIEow...\n-----END RSA PRIVATE KEY-----` },
  { kind: 'private-key', secret: '-----BEGIN ' + 'OPENSSH PRIVATE' + ' KEY-----', context: (s) => `"${s}\\nb3Blbn..."` },
  { kind: 'bearer-token', secret: alnum(40, 'be1'), context: (s) => `Authorization: Bearer ${s}` },
  {
    kind: 'jwt',
    secret: 'ey' + 'J' + alnum(30, 'jw1') + '.ey' + 'J' + alnum(60, 'jw2') + '.' + alnum(43, 'jw3'),
    context: (s) => `cookie=${s};`,
  },
];

describe('scanForCredentials finds credential-shaped strings', () => {
  it.each(positives.map((p) => [p.kind, p]))('%s', (_kind, p) => {
    const text = `Some prose before. ${p.context(p.secret)} And after.`;
    const hits = scanForCredentials(text);
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit!.kind).toBe(p.kind);
    expect(text.slice(hit!.index, hit!.index + p.secret.length)).toBe(p.secret);
    expect(hit!.preview).toBe(`${p.secret.slice(0, 4)}…(${p.secret.length} chars)`);
    expect(hit!.preview).not.toContain(p.secret.slice(4, 12));
  });

  it('finds several in one pass, in order', () => {
    const a = positives[0]!;
    const b = positives[5]!;
    const text = `${a.context(a.secret)}\n${'lorem ipsum '.repeat(1000)}\n${b.context(b.secret)}`;
    expect(scanForCredentials(text).map((h) => h.kind)).toEqual([a.kind, b.kind]);
  });
});

describe('scanForCredentials leaves realistic non-secrets alone', () => {
  const pngBase64 = Buffer.concat(Array.from({ length: 200 }, (_, i) => createHash('sha256').update(`img${i}`).digest())).toString('base64');
  const negatives: [string, string][] = [
    ['sha256 hex digest', createHash('sha256').update('x').digest('hex')],
    ['git commit', createHash('sha1').update('y').digest('hex')],
    ['UUIDs', `${randomUUID()} ${randomUUID().toUpperCase()}`],
    ['base64 image', `data:image/png;base64,${pngBase64}`],
    ['sklearn names', 'sk-learn scikit-learn sk-learn-compatible-model-wrapper-for-evaluation task-sk-1234567890abcdefghij'],
    ['model names', 'gpt-4o-mini claude-3-5-sonnet-20240620 meta-llama/Meta-Llama-3-8B-Instruct hf_hub_download ghp_ github_pat_'],
    ['prose about tokens', 'Use a Bearer token for authentication. The Bearer scheme is defined in RFC 6750.'],
    ['public keys and certificates', '-----BEGIN PUBLIC KEY----- -----BEGIN CERTIFICATE-----'],
    ['words that contain prefixes', 'AKIAPOLIS ASIATIC xoxb- task_sk-abc AIzaWord hf_model_name_that_is_quite_long_indeed_yes'],
    ['AWS documentation example', 'AWS_ACCESS_KEY_ID=' + 'AKIA' + 'IOSFODNN7' + 'EXAMPLE'],
    ['a lone JWT header', 'ey' + 'JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'],
    ['lm-eval hashes', '"doc_hash": "4efe64e23e3ffe503da34bc4cfd8d55071042dae013b9e782b8d7040750c48fe"'],
  ];
  it.each(negatives)('%s', (_label, text) => {
    expect(scanForCredentials(text)).toEqual([]);
  });

  it('finds nothing in the public lm-eval and Inspect JSON fixtures', () => {
    const files = [...filesIn(lmEvalDir), ...filesIn(join(sharedFixtures, 'inspect_json'), '.json')];
    for (const f of files) expect(scanForCredentials(readFileSync(f, 'utf8')), f).toEqual([]);
  });

  it('gets through adversarial near-misses without backtracking blow-up', () => {
    const text = 'sk-'.repeat(200_000) + 'Bearer '.repeat(100_000) + 'eyJ.'.repeat(100_000) + 'a'.repeat(1_000_000);
    expect(scanForCredentials(text)).toEqual([]);
  });
});

describe('scanValue', () => {
  const gh = 'gh' + 'p_' + alnum(36, 'gh-value');

  it('names the JSON path where a secret sits, keys included', () => {
    const log = {
      eval: { task: 'x', model_args: { 'api base': 'https://example.invalid' } },
      results: { scores: [{ name: 'match', params: { token: gh, n: 3 } }] },
      samples: [{ messages: [{ content: `clone https://${gh}@github.com/a/b` }] }],
      [`weird ${gh}`]: true,
    };
    const findings = scanValue(log, 'log');
    expect(findings.map((f) => [f.kind, f.where])).toEqual([
      ['github-token', 'log.results.scores[0].params.token'],
      ['github-token', 'log.samples[0].messages[0].content'],
      ['github-token', `log[${JSON.stringify(`weird ${gh}`)}] (key)`],
    ]);
    for (const f of findings) expect(f.preview).toBe(`ghp_…(${gh.length} chars)`);
  });

  it('counts random-looking values under secret-named keys, but not placeholders, ids or tokenizer strings', () => {
    const secret = alnum(32, 'named');
    const findings = scanValue(
      {
        api_key: secret,
        dataset_kwargs: { token: '${HUGGINGFACE_TOKEN}' },
        tokenizer_pad_token: '<|endoftext|>',
        password: randomUUID(),
        max_tokens: 64,
        eot_token_id: 128009,
        task_hashes: { asdiv: createHash('sha256').update('t').digest('hex') },
      },
      '',
    );
    expect(findings).toEqual([{ kind: 'secret-named-field', where: 'api_key', preview: `${secret.slice(0, 4)}…(32 chars)` }]);
  });

  it('walks the public fixtures without findings (their placeholder token included)', () => {
    for (const f of filesIn(lmEvalDir, '.json')) {
      expect(scanValue(parseJsonWithNonFinite(readFileSync(f, 'utf8')), 'results'), f).toEqual([]);
    }
  });
});
