/**
 * A real headless browser for tests that open pages (plots, the explorer, the docs site):
 * Debian's chromium, found by `scripts/ensure-chromium.sh` (run by `npm test` for every
 * `*.browser.test.ts` file, which passes its path as HARVESTRY_CHROMIUM), driven by
 * puppeteer-core. No browser is downloaded.
 */
import { existsSync } from 'node:fs';
import { after } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** The browser binary: HARVESTRY_CHROMIUM, else Debian's chromium. */
export function chromiumPath(): string {
  const fromEnv = process.env.HARVESTRY_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  throw new Error('no chromium found: run `bash scripts/ensure-chromium.sh` (as root) or set HARVESTRY_CHROMIUM');
}

let shared: Promise<Browser> | undefined;

// Registered when the test file imports this module, so it runs once after all of the file's
// tests (an `after` registered inside a test would run when that test ends).
after(async () => {
  if (shared !== undefined) await (await shared).close();
});

/** One headless browser per test file, closed after the file's tests. */
export function browser(): Promise<Browser> {
  shared ??= puppeteer.launch({
    executablePath: chromiumPath(),
    // Tests run as root in CI, where chromium refuses its sandbox.
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  return shared;
}

/** A page and the errors it reported: console errors and uncaught exceptions, as text. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/** Opens a new page that records console errors and page errors into `errors`. */
export async function openPage(url: string, options: { waitUntil?: 'load' | 'networkidle0' } = {}): Promise<WatchedPage> {
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => {
    errors.push(`pageerror: ${err instanceof Error ? err.message : String(err)}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`http ${res.status()}: ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  await page.goto(url, { waitUntil: options.waitUntil ?? 'load' });
  return { page, errors };
}
