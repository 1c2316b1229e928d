// electron-builder afterPack hook: flips Electron's fuses in the packaged binary
// before it is signed (electron-builder signs after afterPack).
// https://www.electronjs.org/docs/latest/tutorial/fuses
// https://www.electronjs.org/docs/latest/tutorial/security#19-check-which-fuses-you-can-change
// @electron/fuses comes with electron-builder (app-builder-lib depends on it).
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/** Every fuse @electron/fuses knows, set explicitly. */
export const FUSES = Object.freeze({
  version: FuseVersion.V1,
  // The binary cannot be turned into a plain Node (ELECTRON_RUN_AS_NODE).
  [FuseV1Options.RunAsNode]: false,
  // Cookies and other Chromium storage encrypted with the OS keystore.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect cannot inject code into the main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar is checked against the hash electron-builder embeds (macOS, Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Only app.asar is loaded, never a loose app/ folder someone dropped beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The renderer is served from app://; file:// keeps no extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  // Not strict: a newer Electron may add fuses @electron/fuses 1.x does not name;
  // those keep Electron's defaults instead of failing the build.
  strictlyRequireAllFuses: false,
});

const ARM64 = 3; // builder-util's Arch.arm64

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context) {
  // The packager computes the binary's path per platform (.exe, .app, executableName).
  await context.packager.addElectronFuses(context, {
    ...FUSES,
    // Flipping fuses breaks the ad-hoc signature of an unsigned arm64 macOS build.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === ARM64,
  });
}
