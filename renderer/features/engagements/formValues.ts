/**
 * The engagement form's values are the strings in its inputs; these functions
 * turn them into the contract's input (create) or changes (edit). They do not
 * validate: main does, and its one-sentence message is what the form shows.
 */
import {
  DEFAULT_WINDOW_DAYS,
  type Engagement,
  type EngagementChanges,
  type EngagementInput,
  type EngagementStatus,
} from '../../../shared/domain/engagement';
import type { Tlp } from '../../../shared/domain/handling';

export type FormValues = {
  developer: string;
  model: string;
  model_version: string;
  weights_digest: string;
  access_start: string;
  window_days: string;
  release_date: string;
  partners: string[];
  tlp: Tlp;
  banner: string;
  status: EngagementStatus;
};

export const TLP_CHOICES: { value: Tlp; meaning: string }[] = [
  { value: 'CLEAR', meaning: 'No limit on disclosure.' },
  { value: 'GREEN', meaning: 'Within the community; not public.' },
  { value: 'AMBER', meaning: "Need to know within the recipients' organisations and their clients." },
  { value: 'AMBER+STRICT', meaning: "Need to know within the recipients' organisation only." },
  { value: 'RED', meaning: 'Named recipients only; no further disclosure.' },
];

export const STATUS_CHOICES: { value: EngagementStatus; label: string }[] = [
  { value: 'planned', label: 'Planned' },
  { value: 'active', label: 'Active' },
  { value: 'closed', label: 'Closed' },
];

export function emptyValues(today: string): FormValues {
  return {
    developer: '',
    model: '',
    model_version: '',
    weights_digest: '',
    access_start: today,
    window_days: String(DEFAULT_WINDOW_DAYS),
    release_date: '',
    partners: [],
    tlp: 'AMBER',
    banner: '',
    status: 'active',
  };
}

export function valuesFrom(e: Engagement): FormValues {
  return {
    developer: e.developer,
    model: e.model,
    model_version: e.model_version,
    weights_digest: e.weights_digest ?? '',
    access_start: e.access_start,
    window_days: String(e.window_days),
    release_date: e.release_date ?? '',
    partners: [...e.partners],
    tlp: e.handling.tlp,
    banner: e.handling.banner ?? '',
    status: e.status,
  };
}

/** Digests are often pasted from tools that print upper case or a "sha256:" prefix. */
export function normaliseDigest(s: string): string {
  return s.trim().replace(/^sha256:/i, '').toLowerCase();
}

/** An empty number box sends nothing (the default applies); anything else is sent for main to judge. */
function windowDays(s: string): number | undefined {
  return s.trim() === '' ? undefined : Number(s);
}

function handling(v: FormValues) {
  return v.banner.trim() === '' ? { tlp: v.tlp } : { tlp: v.tlp, banner: v.banner };
}

export function toInput(v: FormValues): EngagementInput {
  const digest = normaliseDigest(v.weights_digest);
  const days = windowDays(v.window_days);
  return {
    developer: v.developer,
    model: v.model,
    model_version: v.model_version,
    ...(digest ? { weights_digest: digest } : {}),
    access_start: v.access_start,
    ...(days === undefined ? {} : { window_days: days }),
    ...(v.release_date ? { release_date: v.release_date } : {}),
    partners: v.partners,
    handling: handling(v),
    status: v.status,
  };
}

/** Every field is sent; cleared optional fields become null, as the contract asks. */
export function toChanges(v: FormValues): EngagementChanges {
  const digest = normaliseDigest(v.weights_digest);
  const days = windowDays(v.window_days);
  return {
    developer: v.developer,
    model: v.model,
    model_version: v.model_version,
    weights_digest: digest || null,
    access_start: v.access_start,
    ...(days === undefined ? {} : { window_days: days }),
    release_date: v.release_date || null,
    partners: v.partners,
    handling: handling(v),
    status: v.status,
  };
}

/**
 * main's messages start with the field path ("weights_digest: must be …");
 * this finds the input to mark invalid and focus.
 */
export function fieldOfMessage(message: string): keyof FormValues | null {
  const path = /^([a-z_]+(?:\.[a-z_0-9]+)*):/.exec(message)?.[1];
  if (!path) return null;
  // An edit's fields sit under "changes." in the call's input.
  const [head, sub] = path.replace(/^changes\./, '').split('.');
  if (head === 'handling') return sub === 'banner' ? 'banner' : 'tlp';
  const fields: (keyof FormValues)[] = [
    'developer',
    'model',
    'model_version',
    'weights_digest',
    'access_start',
    'window_days',
    'release_date',
    'partners',
    'status',
  ];
  return fields.find((f) => f === head) ?? null;
}
