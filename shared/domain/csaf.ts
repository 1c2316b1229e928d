import type { Finding, ShownStatus } from './finding';

/**
 * Why a finding cannot be exported as a CSAF 2.0 security advisory, in one
 * sentence that names what to fill; null when it can. main refuses with it and
 * the finding page shows it beside the disabled Export CSAF button.
 */
export function csafRefusal(finding: Pick<Finding, 'kind' | 'affected' | 'description' | 'cwe'>, shownStatus: ShownStatus): string | null {
  if (finding.kind !== 'software-vulnerability') return `Only software-vulnerability findings export as CSAF advisories; this one is of kind ${finding.kind}.`;
  if (shownStatus === 'withdrawn' || shownStatus === 'rejected') return `This finding is ${shownStatus}, so it is not exported as a CSAF advisory.`;
  if (!finding.affected) return 'A CSAF advisory needs the affected product: fill in the finding’s affected product.';
  if (finding.description.trim() === '') return 'A CSAF advisory needs a description of the vulnerability: fill in the finding’s description.';
  const first = finding.cwe[0];
  if (first && !first.name) return `CSAF gives the first CWE with its name: add the name of ${first.id} to the finding, as the CWE list spells it.`;
  return null;
}

/** The advisory's tracking id: the finding's, so exporting a finding again gives a new version of the same advisory. */
export function trackingId(findingId: string): string {
  return `EVALNOTES-${findingId}`;
}

/** CSAF 2.0 section 5.1: the tracking id in lower case, every character but + - a-z 0-9 as _, then .json. */
export function csafFileName(id: string): string {
  return `${id.toLowerCase().replace(/[^+\-a-z0-9]/g, '_')}.json`;
}
