/**
 * The Chromium the browser specs drive through playwright-core: Debian's /usr/bin/chromium when it is
 * installed, else the one @sparticuz/chromium ships inside its npm package (unpacked once to the temp
 * directory), so that `npm ci && npm test` needs nothing else. No browser is ever downloaded.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline headless run; the profile directory is passed by playwright (userDataDir). */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Which binary, and where it came from (printed by the specs so a failure says which browser ran). */
export async function chromiumPath(): Promise<{ path: string; from: 'system' | '@sparticuz/chromium' }> {
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, from: 'system' };
  // The package's default export is a class; executablePath() unpacks the binary once into the temp directory.
  const { default: Chromium } = await import('@sparticuz/chromium');
  return { path: await Chromium.executablePath(), from: '@sparticuz/chromium' };
}

/** A headless Chromium with a fresh profile; close() also removes the profile. */
export async function launchChromium(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; from: string; close(): Promise<void> }> {
  const { path, from } = await chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), 'hypsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: path, headless: true, viewport, args: chromiumFlags });
  return {
    context,
    from,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
