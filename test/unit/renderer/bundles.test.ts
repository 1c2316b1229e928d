/** The bundle and key screens' pure logic: authors, export rules, counts, verdicts, job following, PEM reading. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../../main/identity/keys';
import type { JobFinished, JobProgress } from '../../../shared/api/jobs';
import type { ExportPreview, TrustedKey } from '../../../shared/domain/bundle';
import { fingerprintOf } from '../../../shared/domain/identity';
import {
  countLines,
  exportBlocker,
  folderLabel,
  orderFolders,
  reasonSentence,
  thresholdsLine,
  verdictHeadline,
  type ExportChoices,
} from '../../../renderer/features/bundles/bundleText';
import { authorText, describeAuthor, readOnlyReason } from '../../../renderer/features/keys/authors';
import { passphraseProblem } from '../../../renderer/features/keys/passphrase';
import { readPublicKeyText } from '../../../renderer/features/keys/pem';
import { followJob, progressFraction, type JobEvents } from '../../../renderer/lib/jobs';
import { parseRoute, routeHash } from '../../../renderer/lib/route';

const ADA = 'a'.repeat(64);
const SAM = 'b'.repeat(64);
const BEN = 'c'.repeat(64);
const STRANGER = 'd'.repeat(64);

function trusted(key_id: string, name: string, untrusted_at: string | null = null): TrustedKey {
  return { key_id, name, role: 'evaluator', public_key_pem: '', trusted_at: '2026-03-01T09:00:00.000Z', untrusted_at };
}

describe('who wrote a record', () => {
  const store = [trusted(ADA, 'Ada Lovelace'), trusted(BEN, 'Ben Okafor', '2026-03-20T12:00:00.000Z')];
  const own = { key_id: SAM };

  it('names the own key "you", a trusted key by name and role, and flags a key untrusted since', () => {
    expect(describeAuthor(SAM, own, store)).toEqual({ kind: 'you' });
    expect(authorText(describeAuthor(ADA, own, store))).toBe('Ada Lovelace (evaluator)');
    expect(describeAuthor(BEN, own, store)).toEqual({ kind: 'untrusted', name: 'Ben Okafor', role: 'evaluator', since: '2026-03-20T12:00:00.000Z' });
    expect(authorText(describeAuthor(BEN, own, store))).toBe('Ben Okafor (evaluator), signed by a key no longer trusted');
    expect(authorText(describeAuthor(STRANGER, own, store))).toBe('an unknown key');
  });

  it('says why someone else’s record is read-only, and nothing for one’s own', () => {
    expect(readOnlyReason(describeAuthor(SAM, own, store), 'finding')).toBeNull();
    expect(readOnlyReason(describeAuthor(ADA, own, store), 'finding')).toBe(
      'Read-only: Ada Lovelace (evaluator) wrote this finding, and only its author can change it; it came into this workspace in their signed bundle.',
    );
    expect(readOnlyReason(describeAuthor(BEN, own, store), 'finding')).toMatch(/no longer trusted/);
    expect(readOnlyReason(describeAuthor(STRANGER, own, store), 'finding')).toMatch(/not in your trusted keys/);
  });
});

const counts = (records: Record<string, number>, attachments = 0, forwarded = 0) => ({ records, attachments, forwarded });

function preview(over: Partial<ExportPreview> = {}): ExportPreview {
  return {
    handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' },
    counts: counts({ engagements: 1, findings: 2, notes: 0, thresholds: 0 }),
    include_thresholds: false,
    credential_warnings: [],
    suggested_name: 'orion-2-rc3_ada-lovelace_2026-03-12_1a2b3c4d.evb',
    ...over,
  };
}

describe('what a bundle holds, in words', () => {
  it('lists the non-empty record types in the order people care about, then files and forwarded bundles', () => {
    expect(countLines(counts({ samples: 3, thresholds: 0, findings: 1, engagements: 1, notes: 2 }, 1, 2))).toEqual([
      '1 engagement',
      '1 finding',
      '2 notes',
      '3 samples',
      '1 evidence file',
      '2 forwarded bundles',
    ]);
    expect(countLines(counts({ findings: 0 }))).toEqual([]);
  });

  it('orders and labels the ingest table’s types', () => {
    expect(orderFolders(['samples', 'zeta', 'findings', 'engagements'])).toEqual(['engagements', 'findings', 'samples', 'zeta']);
    expect(folderLabel('findings')).toBe('Findings');
    expect(folderLabel('zeta')).toBe('Zeta');
  });

  it('always says whether thresholds are in, and warns when they are', () => {
    expect(thresholdsLine(preview())).toBe('Thresholds are not included.');
    expect(thresholdsLine(preview({ include_thresholds: true, counts: counts({ thresholds: 2 }) }))).toBe(
      'Thresholds are included (2 thresholds): they leave this machine with the bundle.',
    );
  });
});

describe('when Export may run', () => {
  const choices = (over: Partial<ExportChoices> = {}): ExportChoices => ({ scope: 'all', selected: [], confirmCredentials: false, forwardCount: 0, ...over });
  const warned = preview({ credential_warnings: [{ run_id: '0190a7b2-0000-7000-8000-000000000001', kind: 'OpenAI API key', where: 'eval.task_args.key', preview: 'sk-…abcd' }] });

  it('runs with a preview of something to sign', () => {
    expect(exportBlocker(preview(), choices())).toBeNull();
  });

  it('waits for the preview, and for a finding when only selected findings go', () => {
    expect(exportBlocker(null, choices())).toMatch(/^Waiting for the preview/);
    expect(exportBlocker(preview(), choices({ scope: 'selected' }))).toBe('Choose at least one finding to export.');
    expect(exportBlocker(preview(), choices({ scope: 'selected', selected: ['x'] }))).toBeNull();
  });

  it('is blocked by credential warnings until the person confirms them', () => {
    expect(exportBlocker(warned, choices())).toMatch(/credential warnings/);
    expect(exportBlocker(warned, choices({ confirmCredentials: true }))).toBeNull();
  });

  it('has nothing to sign when the selection holds none of the signer’s records and forwards nothing', () => {
    const empty = preview({ counts: counts({ engagements: 0, findings: 0 }) });
    expect(exportBlocker(empty, choices())).toMatch(/nothing to sign/);
    expect(exportBlocker(empty, choices({ forwardCount: 2 }))).toBeNull();
  });
});

describe('the verifier’s verdict in words', () => {
  it('says valid with the signer, or not valid, and the reason as a sentence', () => {
    expect(verdictHeadline({ valid: true, signer: { key_id: ADA, name: 'Ada Lovelace', org: 'AISI', role: 'evaluator', trusted: true, trusted_as: 'evaluator' } })).toBe(
      'Valid: signed by Ada Lovelace (evaluator)',
    );
    expect(verdictHeadline({ valid: false, signer: null })).toBe('Not valid: this bundle must not be ingested');
    expect(reasonSentence('records/findings/x.json does not match its signed digest')).toBe('records/findings/x.json does not match its signed digest.');
    expect(reasonSentence('The signature is not valid.')).toBe('The signature is not valid.');
    expect(reasonSentence(null)).toBe('The verifier gave no reason.');
  });
});

/** An event source the test drives by hand, counting live listeners. */
function fakeEvents() {
  const progress = new Set<(p: JobProgress) => void>();
  const finished = new Set<(f: JobFinished) => void>();
  const events: JobEvents = {
    onProgress: (l) => (progress.add(l), () => void progress.delete(l)),
    onFinished: (l) => (finished.add(l), () => void finished.delete(l)),
  };
  return {
    events,
    progress: (job_id: string, done: number) => progress.forEach((l) => l({ job_id, kind: 'verify', done, total: 10, message: 'Checking' })),
    finish: (job_id: string, status: JobFinished['status'] = 'succeeded') => finished.forEach((l) => l({ job_id, kind: 'verify', status, error: null, result: { ok: job_id } })),
    listeners: () => progress.size + finished.size,
  };
}

const JOB = 'job-0123456789abcdef';
const OTHER = 'job-fedcba9876543210';

describe('following a job', () => {
  it('keeps the events that overtake the job id, and replays only this job’s', async () => {
    const f = fakeEvents();
    const seen: number[] = [];
    const job = await followJob(
      () => {
        // Over HTTP the event stream can deliver before the call answers.
        f.progress(JOB, 3);
        f.progress(OTHER, 9);
        f.finish(JOB);
        return Promise.resolve({ job_id: JOB });
      },
      (p) => seen.push(p.done),
      f.events,
    );
    expect(job.jobId).toBe(JOB);
    expect(seen).toEqual([3]);
    expect((await job.finished).result).toEqual({ ok: JOB });
    expect(f.listeners()).toBe(0);
  });

  it('reports progress as it comes and stops listening once the job ends', async () => {
    const f = fakeEvents();
    const seen: number[] = [];
    const job = await followJob(() => Promise.resolve({ job_id: JOB }), (p) => seen.push(p.done), f.events);
    f.progress(JOB, 1);
    f.progress(OTHER, 5);
    f.finish(OTHER);
    f.progress(JOB, 2);
    f.finish(JOB, 'cancelled');
    f.progress(JOB, 4);
    expect(seen).toEqual([1, 2]);
    expect((await job.finished).status).toBe('cancelled');
    expect(f.listeners()).toBe(0);
  });

  it('leaves nothing listening when the job cannot start', async () => {
    const f = fakeEvents();
    await expect(followJob(() => Promise.reject(new Error('refused')), () => {}, f.events)).rejects.toThrow('refused');
    expect(f.listeners()).toBe(0);
  });

  it('turns progress into a fraction only when the total is known', () => {
    expect(progressFraction(null)).toBeNull();
    expect(progressFraction({ done: 5, total: null })).toBeNull();
    expect(progressFraction({ done: 5, total: 0 })).toBeNull();
    expect(progressFraction({ done: 5, total: 20 })).toBe(0.25);
    expect(progressFraction({ done: 30, total: 20 })).toBe(1);
  });
});

describe('a public key file, read before it is trusted', () => {
  it('shows the same key id and fingerprint main will store', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const read = await readPublicKeyText(pem);
    expect(read).toEqual({ ok: true, pem, keyId: keyIdOf(publicKey), fingerprint: fingerprintOf(keyIdOf(publicKey)) });
  });

  it('refuses a private key, another algorithm, and text that is no key, in one sentence each', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const priv = await readPublicKeyText(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    expect(priv).toMatchObject({ ok: false, message: expect.stringMatching(/private key/) as unknown });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(await readPublicKeyText(ec)).toMatchObject({ ok: false, message: expect.stringMatching(/not an Ed25519 public key/) as unknown });
    expect(await readPublicKeyText('hello')).toMatchObject({ ok: false });
    expect(await readPublicKeyText('x'.repeat(2000))).toMatchObject({ ok: false, message: expect.stringMatching(/too large/) as unknown });
  });
});

describe('changing the passphrase', () => {
  it('names the first problem with the three fields, or none', () => {
    const good = 'a long new passphrase';
    expect(passphraseProblem('', good, good)).toBe('Enter your current passphrase.');
    expect(passphraseProblem('old passphrase!', 'short', 'short')).toMatch(/at least 12/);
    expect(passphraseProblem('old passphrase!', good, `${good}x`)).toMatch(/do not match/);
    expect(passphraseProblem(good, good, good)).toMatch(/same as the current/);
    expect(passphraseProblem('old passphrase!', good, good)).toBeNull();
  });
});

describe('routes to the workspace screens', () => {
  it('round-trips Bundles and Keys through the address', () => {
    for (const page of ['bundles', 'keys'] as const) {
      expect(parseRoute(routeHash({ page }))).toEqual({ page });
    }
    expect(routeHash({ page: 'bundles' })).toBe('#/bundles');
    expect(parseRoute('#/keys/extra')).toEqual({ page: 'home' });
  });
});
