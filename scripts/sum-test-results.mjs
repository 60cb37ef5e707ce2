#!/usr/bin/env node
// Sums the vitest JSON reports (test-results.json) of every workspace package and
// prints one line "N passed, N failed" (CI's contract). Exits 1 when a package ran
// tests but has no report, or when anything failed. Optional arguments: `--report NAME` sums reports of
// another name (CI's native-kernels pass writes test-results-native.json), and package folders
// (e.g. packages/models apps/cli) limit the sum to those.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const reportAt = args.indexOf('--report');
const reportName = reportAt >= 0 ? args[reportAt + 1] : 'test-results.json';
const only = args.filter((_, index) => reportAt < 0 || (index !== reportAt && index !== reportAt + 1));
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const failures = [];
for (const group of ['packages', 'apps']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir).sort()) {
    const manifest = join(groupDir, name, 'package.json');
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    if (only.length > 0 && !only.includes(`${group}/${name}`)) continue;
    const report = join(groupDir, name, reportName);
    if (!existsSync(report)) {
      rows.push(`${group}/${name}: no ${reportName}`);
      failed += 1; // a package whose tests did not report counts as a failure
      continue;
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const failedHere =
      json.numFailedTests + (json.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(json);
    passed += json.numPassedTests;
    failed += failedHere;
    skipped += json.numPendingTests + (json.numTodoTests ?? 0);
    rows.push(`${group}/${name}: ${json.numPassedTests} passed, ${failedHere} failed`);
    failures.push(...failureLines(`${group}/${name}`, json));
  }
}

// A suite that failed to load reports 0 tests; count it as one failure, but do not
// double-count suites whose failure is just their failing tests.
function countSuitesWithFailedTests(json) {
  return json.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.some((t) => t.status === 'failed'),
  ).length;
}

// One line per failing test or unloadable suite, so a CI log's tail names what failed.
function failureLines(dir, json) {
  const lines = [];
  for (const suite of json.testResults) {
    const file = suite.name.slice(suite.name.indexOf(dir) + dir.length + 1);
    const failedTests = suite.assertionResults.filter((t) => t.status === 'failed');
    for (const test of failedTests) {
      lines.push(`FAILED ${dir}/${file} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
    if (suite.status === 'failed' && failedTests.length === 0) {
      lines.push(`FAILED ${dir}/${file} (suite): ${firstLine(suite.message)}`);
    }
  }
  return lines;
}

function firstLine(text) {
  return (text ?? '').split('\n')[0].slice(0, 300);
}

for (const dir of only) {
  if (rows.some((row) => row.startsWith(`${dir}:`))) continue;
  rows.push(`${dir}: not a package with tests`);
  failed += 1;
}

console.log(rows.join('\n'));
if (failures.length > 0) console.log(failures.join('\n'));
// Skipped tests on a line of their own: CI's contract is a last line of exactly "N passed, N failed".
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
