/** The passphrase rule the contract enforces (shared/domain/identity.ts Passphrase), said before the call. */
export const MIN_PASSPHRASE = 12;

/** Why the change-passphrase fields cannot be sent yet, one sentence; null when they can. */
export function passphraseProblem(current: string, next: string, repeat: string): string | null {
  if (current === '') return 'Enter your current passphrase.';
  if (next.length < MIN_PASSPHRASE) return `The new passphrase must be at least ${MIN_PASSPHRASE} characters long.`;
  if (next !== repeat) return 'The new passphrase and its repetition do not match; type them again.';
  if (next === current) return 'The new passphrase is the same as the current one.';
  return null;
}
