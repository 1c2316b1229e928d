/**
 * The signer's chain of keys, as a bundle proves it (issue 7): the key
 * statements it carries under `keys/` (shared/domain/keySuccession.ts),
 * checked against this verifier's trust. Decisions (also in the README,
 * "Keys and trust"):
 *
 * 1. Every statement must be well formed and named after the key it replaces;
 *    a rotation must be signed by the key it replaces, and verify with the old
 *    public key it carries (whose hash must be the old key id). Anything else is
 *    refused: a forged rotation never counts, trusted key or not.
 * 2. A bundle carries only its signer's chain (statements leading back from
 *    the signer) and re-assignments a key of that chain issued; any other
 *    statement is refused.
 * 3. A signer that is not trusted here is trusted through its chain: rotated
 *    from a trusted key, or re-assigned from a trusted key by a key trusted here
 *    as a supervisor; it takes that key's name and role. A chain that leads to
 *    an untrusted key, a lost key (rotated after it was reported lost), or a
 *    re-assignment by a key not trusted as a supervisor is refused, naming why.
 * 4. A re-assignment issued by a key trusted here as an evaluator is refused,
 *    wherever it sits. One whose issuer is not trusted here, or trusted with no
 *    role (`--trust` keys), is not applied: it neither extends the chain nor is
 *    stored, but the bundle may still verify on the strength of its signer.
 * 5. A statement that contradicts a succession this workspace knows (the old
 *    key has another successor here) is refused.
 * 6. The bundle's records and audit events may be by any key of the chain the
 *    applied statements establish, from the signer back.
 */
import { createHash } from 'node:crypto';
import { KEY_STATEMENT_ENTRY, type KeySuccessionStatement } from '../../shared/domain/keySuccession';
import { parseSuccession, type ParsedSuccession } from '../identity/successionStatements';
import type { TrustAnswer, TrustLookup } from '../services/keys';
import { BundleRefused, readInto, type BundleEntry, type ByteSource } from './canonicalZip';

export type CarriedStatement = { name: string; bytes: Buffer; sha256: string };

/** A statement the chain rests on, checked and authorized: an ingest stores it. */
export type AppliedSuccession = Pick<ParsedSuccession, 'statement' | 'signedBy' | 'envelope'>;

export type SignerChain = {
  /** The signer and the keys it succeeded: who may have authored the bundle's records and audit events. */
  authors: ReadonlySet<string>;
  applied: AppliedSuccession[];
};

/**
 * What the verifier uses: `lookup` is the trust it was given, extended through
 * the statements (a refusal found on the way is thrown as BundleRefused, which
 * the envelope check reports in its turn); `check` raises, after the hashing
 * pass, a refusal found in the statements themselves or a statement whose bytes
 * changed since they were read; `forSigner` gives the signer's chain once the
 * signer is known (and may refuse, decisions 2 and 4); `authorsOf` is the same
 * chain for checks made early, never refusing (forSigner does, in its turn).
 */
export type KeyChainCheck = {
  lookup: TrustLookup;
  check: (hashed: ReadonlyMap<string, { sha256: string }>) => void;
  forSigner: (signerKeyId: string) => SignerChain;
  authorsOf: (signerKeyId: string) => ReadonlySet<string>;
};

/** At most this many statements, each at most this large (a statement is about 1 KB). */
const MAX_STATEMENTS = 1000;
const MAX_STATEMENT_BYTES = 16 * 1024;

/**
 * The key statements' bytes, read before the hashing pass: trust may rest on
 * them. Each carries the SHA-256 of the bytes read, for `check` to match with
 * the pass.
 */
export async function readKeyStatements(src: ByteSource, label: string, entries: readonly BundleEntry[]): Promise<CarriedStatement[]> {
  const wanted = entries.filter((e) => e.name.startsWith('keys/'));
  if (wanted.length > MAX_STATEMENTS) throw new BundleRefused(`${label} holds more than ${MAX_STATEMENTS} key statements.`);
  const out: CarriedStatement[] = [];
  for (const e of wanted) {
    if (e.size > MAX_STATEMENT_BYTES) throw new BundleRefused(`${label} has a key statement (${e.name}) larger than the ${MAX_STATEMENT_BYTES} bytes allowed for it.`);
    const bytes = Buffer.allocUnsafe(e.size);
    if ((await readInto(src, bytes, e.dataOffset)) !== e.size) throw new BundleRefused(`${label} is cut short: its key statement ${e.name} is incomplete.`);
    out.push({ name: e.name, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return out;
}

const short = (keyId: string) => `${keyId.slice(0, 8)}…`;
const day = (ts: string) => ts.slice(0, 10);

export function keyChainOf(label: string, lookup: TrustLookup, carried: readonly CarriedStatement[]): KeyChainCheck {
  try {
    return checkKeyChain(label, lookup, carried);
  } catch (error) {
    if (!(error instanceof BundleRefused)) throw error;
    const refused = error;
    return {
      lookup,
      check: () => {
        throw refused;
      },
      forSigner: () => {
        throw refused;
      },
      authorsOf: (keyId) => new Set([keyId]),
    };
  }
}

function checkKeyChain(label: string, lookup: TrustLookup, carried: readonly CarriedStatement[]): KeyChainCheck {
  const refuse = (what: string): never => {
    throw new BundleRefused(`${label} ${what}`);
  };
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  // 1. Each statement on its own.
  const byOld = new Map<string, ParsedSuccession>();
  const byNew = new Map<string, ParsedSuccession>();
  for (const c of carried) {
    let text = '';
    try {
      text = utf8.decode(c.bytes);
    } catch {
      refuse(`has a key statement (${c.name}) that is not valid UTF-8.`);
    }
    const parsed = parseSuccession(text);
    if (typeof parsed === 'string') return refuse(`has a key statement (${c.name}) that ${parsed}.`);
    const s = parsed.statement;
    if (KEY_STATEMENT_ENTRY.exec(c.name)?.[1] !== s.old_key_id) refuse(`has a key statement (${c.name}) that is not named after the key it replaces.`);
    if (byNew.has(s.new_key_id)) refuse(`names key ${short(s.new_key_id)} as the successor of two keys.`);
    if (s.kind === 'rotation') {
      if (parsed.signedBy !== s.old_key_id) {
        refuse(`holds a rotation of key ${short(s.old_key_id)} signed by key ${short(parsed.signedBy)}: a rotation is signed by the key it replaces, so it is refused.`);
      }
      if (!parsed.verifiesWith(parsed.oldPublicKey)) refuse(`holds a rotation of key ${short(s.old_key_id)} whose signature does not verify with that key: it was forged or changed after signing.`);
    }
    byOld.set(s.old_key_id, parsed);
    byNew.set(s.new_key_id, parsed);
  }

  // 5. Nothing that contradicts what this workspace knows.
  for (const { statement: s } of byOld.values()) {
    const known = lookup(s.old_key_id);
    const successor = known.status === 'trusted' || known.status === 'lost' ? known.successor : undefined;
    if (successor !== undefined && successor !== s.new_key_id) {
      refuse(`says key ${short(s.old_key_id)} was replaced by key ${short(s.new_key_id)}, but it was replaced by key ${short(successor)} here; it is refused.`);
    }
  }

  // 3. Trust, through the chain where a key is not trusted here itself.
  const memo = new Map<string, TrustAnswer>();
  const resolving = new Set<string>();
  const resolve = (keyId: string): TrustAnswer => {
    const hit = memo.get(keyId);
    if (hit) return hit;
    if (resolving.has(keyId)) return { status: 'unknown' };
    resolving.add(keyId);
    let answer = lookup(keyId);
    const via = byNew.get(keyId);
    if (answer.status === 'unknown' && via) answer = through(via);
    resolving.delete(keyId);
    memo.set(keyId, answer);
    return answer;
  };

  /** Whether a re-assignment holds here (4): 'ok', or 'unknown' when its issuer's authority cannot be told. */
  const authority = (p: ParsedSuccession): 'ok' | 'unknown' => {
    const s = p.statement;
    const issuer = resolve(p.signedBy);
    if (issuer.status !== 'trusted') return 'unknown';
    if (!p.verifiesWith(issuer.publicKey)) refuse(`holds a re-assignment of key ${short(s.old_key_id)} whose signature does not verify with ${issuer.name}'s key: it was forged or changed after signing.`);
    if (issuer.role === 'evaluator') {
      refuse(`holds a re-assignment of key ${short(s.old_key_id)} issued by ${issuer.name}, whose key is trusted here as an evaluator; only a supervisor can re-assign a lost key.`);
    }
    return issuer.role === 'supervisor' ? 'ok' : 'unknown';
  };

  const through = (p: ParsedSuccession): TrustAnswer => {
    const s: KeySuccessionStatement = p.statement;
    const next = short(s.new_key_id);
    if (s.kind === 'reassignment' && authority(p) !== 'ok') {
      refuse(`is signed by key ${next}, which key ${short(p.signedBy)} re-assigned from key ${short(s.old_key_id)}, but that key is not trusted here as a supervisor.`);
    }
    const previous = resolve(s.old_key_id);
    if (previous.status === 'untrusted') return refuse(`is signed by key ${next}, the successor of ${previous.name}'s key ${short(s.old_key_id)}, which was untrusted here on ${day(previous.since)}.`);
    if (previous.status === 'lost' && s.kind === 'rotation') refuse(`is signed by key ${next}, a rotation of ${previous.name}'s key ${short(s.old_key_id)}, which was reported lost on ${day(previous.since)}; a lost key cannot hand over.`);
    if (previous.status === 'unknown') return { status: 'unknown' };
    const issuer = s.kind === 'reassignment' ? resolve(p.signedBy) : null;
    const how =
      s.kind === 'rotation'
        ? `rotated from key ${short(s.old_key_id)}`
        : `re-assigned from lost key ${short(s.old_key_id)} by ${issuer?.status === 'trusted' ? issuer.name : short(p.signedBy)}`;
    const role = previous.role;
    const trustedAs = previous.status === 'trusted' ? previous.trustedAs : (role ?? 'key');
    return { status: 'trusted', publicKey: p.newPublicKey, name: previous.name, role, trustedAs: `${trustedAs}, ${how}` };
  };

  /** 6 and 2: the chain back from the signer, as far as its statements hold, and nothing else but its re-assignments. */
  const forSigner = (signerKeyId: string): SignerChain => {
    const chain = new Set<ParsedSuccession>();
    const applied = new Set<ParsedSuccession>();
    const authors = new Set([signerKeyId]);
    let holds = true;
    for (let p = byNew.get(signerKeyId); p && !chain.has(p); p = byNew.get(p.statement.old_key_id)) {
      chain.add(p);
      if (holds && p.statement.kind === 'reassignment' && authority(p) !== 'ok') holds = false;
      if (!holds) continue;
      applied.add(p);
      authors.add(p.statement.old_key_id);
    }
    for (const p of byOld.values()) {
      if (chain.has(p)) continue;
      const s = p.statement;
      if (s.kind !== 'reassignment' || !authors.has(p.signedBy)) {
        refuse(`holds a key statement (keys/${s.old_key_id}.dsse.json) about key ${short(s.old_key_id)}, which is neither its signer's nor re-assigned by its signer; it is refused.`);
      }
      if (authority(p) === 'ok') applied.add(p);
    }
    return { authors, applied: [...applied].map(({ statement, signedBy, envelope }) => ({ statement, signedBy, envelope })) };
  };

  return {
    lookup: resolve,
    check: (hashed) => {
      for (const c of carried) {
        if (hashed.get(c.name)?.sha256 !== c.sha256) refuse(`changed while it was being verified (${JSON.stringify(c.name)}).`);
      }
    },
    forSigner,
    authorsOf: (keyId) => {
      try {
        return forSigner(keyId).authors;
      } catch (error) {
        if (error instanceof BundleRefused) return new Set([keyId]);
        throw error;
      }
    },
  };
}
