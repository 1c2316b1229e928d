/**
 * Why a ZIP entry name is unsafe to honour (zip-slip and friends), in words a
 * refusal can use, or null. Shared by the log importer's and the bundle
 * verifier's ZIP readers.
 */
export function unsafeZipName(name: string): string | null {
  if (name === '') return 'empty';
  if (name.includes('\\')) return 'backslash';
  if (name.includes('\0')) return 'NUL byte';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'absolute path';
  if (name.split('/').includes('..')) return 'parent-directory segment';
  return null;
}
