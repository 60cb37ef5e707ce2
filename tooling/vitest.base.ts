/// <reference types="@vitest/browser/providers/playwright" />
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** Chromium flags that work headless on these machines; the last three give WebGPU on SwiftShader (CPU). */
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
const CHROMIUM = process.env.RCNN_CHROMIUM ?? '/usr/bin/chromium';
/** Node tests of packages that have tfjs start with its console notes off (the cpu backend's Node banner). */
const QUIET_TFJS_SETUP = fileURLToPath(new URL('../packages/test-utils/src/node-setup.ts', import.meta.url));
/**
 * `RCNN_NATIVE_KERNELS=1`: those Node tests also run with @rcnn/kernels-native's oneDNN kernels registered
 * on wasm (CI's second pass; without the variable only the CLI registers them). `RCNN_TEST_REPORT` names the
 * JSON report instead of test-results.json, so that pass leaves the main reports alone.
 */
const NATIVE_KERNELS_SETUP =
  process.env.RCNN_NATIVE_KERNELS === '1'
    ? [fileURLToPath(new URL('../packages/kernels-native/test/native-kernels-setup.ts', import.meta.url))]
    : [];
const REPORT_FILE = process.env.RCNN_TEST_REPORT ?? 'test-results.json';

export interface PackageTestOptions {
  testTimeout?: number;
  /** Also run `src/**\/*.browser.test.ts` in headless Chromium (webgpu). Skipped, with a notice, when Chromium is absent. */
  browser?: boolean;
}

/**
 * Shared vitest settings. `@rcnn/source` resolves workspace packages to their
 * TypeScript sources, so tests never depend on a stale build. Node tests run in one
 * forked process per package (tfjs backends initialise once); browser tests run in
 * Chromium through playwright. Each package writes one test-results.json, which
 * scripts/sum-test-results.mjs adds up for CI.
 */
export function packageTestConfig(options: PackageTestOptions = {}) {
  const testTimeout = options.testTimeout ?? 60_000;
  const withBrowser = options.browser === true && existsSync(CHROMIUM);
  if (options.browser && !withBrowser) {
    console.warn(
      `[rcnn] ${CHROMIUM} not found: browser (webgpu) tests skipped. Run npm run setup as root to install it.`,
    );
  }
  const conditions = {
    resolve: { conditions: ['@rcnn/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@rcnn/source', ...defaultServerConditions] } },
  };
  return defineConfig({
    ...conditions,
    test: {
      passWithNoTests: true,
      testTimeout,
      hookTimeout: 120_000,
      reporters: ['default', ['json', { outputFile: REPORT_FILE }]],
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
            pool: 'forks',
            poolOptions: { forks: { singleFork: true } },
            setupFiles: existsSync('node_modules/@tensorflow/tfjs-core')
              ? [QUIET_TFJS_SETUP, ...NATIVE_KERNELS_SETUP]
              : [],
          },
        },
        ...(withBrowser
          ? [
              {
                extends: true as const,
                optimizeDeps: { exclude: ['@rcnn/core', '@rcnn/test-utils'] },
                test: {
                  name: 'browser',
                  include: ['src/**/*.browser.test.ts'],
                  browser: {
                    enabled: true,
                    headless: true,
                    provider: 'playwright' as const,
                    screenshotFailures: false,
                    instances: [
                      {
                        browser: 'chromium' as const,
                        launch: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
                      },
                    ],
                  },
                },
              },
            ]
          : []),
      ],
    },
  });
}
