import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (installed by `npm run setup`); `RCNN_CHROMIUM` overrides. Never downloaded. */
export const CHROMIUM = process.env.RCNN_CHROMIUM ?? '/usr/bin/chromium';

/** Headless flags that work on these machines; the last three give WebGPU on SwiftShader (CPU). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `[rcnn] ${CHROMIUM} not found: the web app's browser tests are skipped. Run npm run setup as root.`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
