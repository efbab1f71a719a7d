import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium with the flags known to work on these machines: no sandbox (tests run as
 * root), and no background networking (its connections are refused on this closed network).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
