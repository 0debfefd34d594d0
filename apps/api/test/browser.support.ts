import { existsSync } from 'node:fs';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's `chromium` package; playwright-core brings no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', // CI runs as root, where Chromium's sandbox refuses to start
  '--headless',
  '--disable-gpu',
  // Chromium's own calls home (updates, sync, field trials) would reach outside the machine.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
/** Starting a browser and rendering a page is slow on a busy machine. */
export const BROWSER_TIMEOUT = 60_000;

export interface BrowserPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page asked for that is not on this machine (those requests were aborted). */
  foreignRequests: string[];
  /** Uncaught errors of the page's scripts. */
  pageErrors: string[];
}

/** Chromium for a describe block: launched before its tests, closed after them. */
export function useChromium(): { browser: Browser } {
  const ctx = {} as { browser: Browser };
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium package ` +
          '(apt-get install -y chromium); .ci/run installs it when it is missing',
      );
    ctx.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, BROWSER_TIMEOUT);
  afterAll(() => ctx.browser?.close());
  return ctx;
}

/**
 * A fresh context and page in which every request off this machine is aborted and recorded,
 * and every uncaught script error recorded: a test ends by expecting both lists empty.
 */
export async function openPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserPage> {
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const context = await browser.newContext({ viewport: options.viewport });
  // Shorter than a test's own timeout, so a wait that fails says what it waited for.
  context.setDefaultTimeout(BROWSER_TIMEOUT / 3);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || LOCAL_HOSTS.has(new URL(url).hostname)) return route.continue();
    foreignRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { page, context, foreignRequests, pageErrors };
}
