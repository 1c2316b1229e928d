/**
 * Credential-shaped strings in imported logs (real logs embed task and scorer
 * parameters verbatim; one public Inspect log holds a GitHub token). Found at
 * import, remembered, shown again before export.
 *
 * One combined regular expression, one pass: each alternative starts with a
 * literal prefix, so the engine rejects most positions at once (hundreds of
 * MB/s). Matches are then checked for shape (length, mixed characters), so
 * hex digests, UUIDs, base64 images and words like "sk-learn" do not count.
 * Previews never show more than the first 4 characters.
 */

export type CredentialHit = { kind: string; index: number; preview: string };
export type CredentialFinding = { kind: string; where: string; preview: string };

type Pattern = {
  kind: string;
  /** Regex source; a named group `v` marks the secret part when it is not the whole match. */
  source: string;
  /** Extra shape check on the secret part. */
  accept?: (secret: string) => boolean;
};

const hasDigit = (s: string) => /[0-9]/.test(s);
const hasLetter = (s: string) => /[A-Za-z]/.test(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s);
/** Random-looking: letters and digits, or both letter cases. */
const randomLooking = (s: string) => (hasDigit(s) && hasLetter(s)) || mixedCase(s);

/** AWS's documented sample keys end in EXAMPLE / EXAMPLEKEY; documentation copied into a log is not a leak. */
const notAwsExample = (s: string) => !s.includes('EXAMPLE');

const PATTERNS: Pattern[] = [
  { kind: 'private-key', source: String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----` },
  { kind: 'anthropic-api-key', source: String.raw`sk-ant-[A-Za-z0-9_-]{32,}`, accept: (s) => randomLooking(s.slice(7)) },
  {
    kind: 'openai-api-key',
    source: String.raw`sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}`,
    accept: (s) => randomLooking(s.slice(3)) && hasDigit(s),
  },
  { kind: 'google-api-key', source: String.raw`AIza[0-9A-Za-z_-]{35}`, accept: randomLooking },
  { kind: 'huggingface-token', source: String.raw`hf_[A-Za-z0-9]{30,}`, accept: (s) => randomLooking(s.slice(3)) },
  { kind: 'github-token', source: String.raw`gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,}`, accept: (s) => randomLooking(s.slice(4)) },
  {
    kind: 'aws-access-key-id',
    source: String.raw`(?:AKIA|ASIA)[A-Z0-9]{16}`,
    accept: (s) => hasDigit(s.slice(4)) && /[A-Z]/.test(s.slice(4)) && notAwsExample(s),
  },
  {
    kind: 'aws-secret-access-key',
    source: String.raw`(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|aws_secret_key|AWS_SECRET_KEY|secret_access_key|SecretAccessKey|secretAccessKey)["']?[ \t]*[:=][ \t]*["']?(?<v>[A-Za-z0-9/+]{40})`,
    accept: (s) => randomLooking(s) && notAwsExample(s),
  },
  { kind: 'slack-token', source: String.raw`xox[baprs]-[A-Za-z0-9-]{10,}`, accept: (s) => hasDigit(s) },
  {
    kind: 'jwt',
    source: String.raw`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`,
  },
  {
    // RFC 6750 token68 alphabet; the whole run must be the token (a bounded length, then no more token characters).
    kind: 'bearer-token',
    source: String.raw`Bearer[ \t]+(?<v>[A-Za-z0-9._~+/-]{20,4096}=*)(?![A-Za-z0-9._~+/=-])`,
    accept: randomLooking,
  },
];

// Pattern i is the named group p<i>; its secret part (if marked) is v<i>. Word
// boundaries on both sides keep tokens from matching inside longer identifiers.
const COMBINED = new RegExp(
  String.raw`(?<![A-Za-z0-9_])(?:` +
    PATTERNS.map((p, i) => `(?<p${i}>${p.source.replace('(?<v>', `(?<v${i}>`)})`).join('|') +
    String.raw`)(?![A-Za-z0-9_])`,
  'g',
);

/**
 * Every pattern's literal start, without the word-boundary lookbehind: a
 * string with none of them (nearly every string in a log) is dismissed in one
 * quick pass instead of the full expression's slower one.
 */
const MAY_HOLD = /-----BEGIN|sk-|AIza|hf_|gh[pousr]_|github_pat_|AKIA|ASIA|[sS]ecret|SECRET|xox[baprs]-|eyJ|Bearer/;

/** Every credential-shaped string in `text`, with its index and a redacted preview. */
export function scanForCredentials(text: string): CredentialHit[] {
  const hits: CredentialHit[] = [];
  if (!MAY_HOLD.test(text)) return hits;
  COMBINED.lastIndex = 0;
  for (let m = COMBINED.exec(text); m !== null; m = COMBINED.exec(text)) {
    const groups = m.groups!;
    for (let i = 0; i < PATTERNS.length; i++) {
      const whole = groups[`p${i}`];
      if (whole === undefined) continue;
      const inner = groups[`v${i}`];
      const secret = inner ?? whole;
      const p = PATTERNS[i]!;
      if (!p.accept || p.accept(secret)) {
        // The secret part ends the match, so its index follows from the lengths.
        hits.push({ kind: p.kind, index: m.index + whole.length - secret.length, preview: redact(secret) });
      }
      break;
    }
  }
  return hits;
}

/** "sk-p…(56 chars)": enough to recognise it, not enough to use it. */
export function redact(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length} chars)`;
}

/** Keys whose string values are secrets even without a known prefix. */
const SECRET_KEY = /(?:^|[_-])(?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|secret|secret[_-]?key|client[_-]?secret|password|passwd)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Walks a parsed value (log metadata, a sample) and reports credential-shaped
 * strings with their JSON path, e.g. `results.scores[0].params.token`. Keys
 * are scanned too, and a value under a key named like a secret (token,
 * api_key, password …) counts when it looks random (≥ 20 characters of one
 * token alphabet, letters and digits mixed; placeholders like
 * "${HF_TOKEN}" and UUIDs do not).
 */
export function scanValue(value: unknown, where: string): CredentialFinding[] {
  const out: CredentialFinding[] = [];
  walk(value, where, null, out);
  return out;
}

function walk(value: unknown, path: string, key: string | null, out: CredentialFinding[]): void {
  if (typeof value === 'string') {
    const hits = scanForCredentials(value);
    for (const h of hits) out.push({ kind: h.kind, where: path, preview: h.preview });
    if (hits.length === 0 && key !== null && SECRET_KEY.test(key) && looksLikeSecretValue(value)) {
      out.push({ kind: 'secret-named-field', where: path, preview: redact(value) });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, key, out));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const childPath = joinPath(path, k);
      for (const h of scanForCredentials(k)) out.push({ kind: h.kind, where: `${childPath} (key)`, preview: h.preview });
      walk(v, childPath, k, out);
    }
  }
}

function looksLikeSecretValue(v: string): boolean {
  return v.length >= 20 && v.length <= 512 && /^[A-Za-z0-9_\-.+/=]+$/.test(v) && hasDigit(v) && hasLetter(v) && !UUID.test(v);
}

function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
