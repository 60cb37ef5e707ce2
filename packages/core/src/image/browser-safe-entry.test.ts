import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const NODE_ONLY = /^(node:|fs$|fs\/|path$|zlib$|stream$|buffer$|os$|crypto$|child_process$|url$|pngjs$)/;

/** Every source file the main entry (src/index.ts) reaches through relative imports. */
function mainEntryGraph(): Map<string, string> {
  const files = new Map<string, string>();
  const pending = [resolve(dirname(fileURLToPath(import.meta.url)), '../index.ts')];
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    files.set(file, source);
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      if (!specifier!.startsWith('.')) continue;
      const base = resolve(dirname(file), specifier!);
      pending.push(base.endsWith('.ts') ? base : tryFiles(base));
    }
  }
  return files;
}

function tryFiles(base: string): string {
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {}
  }
  throw new Error(`cannot resolve ${base}`);
}

it('keeps the main entry browser-safe: no Node modules, no Buffer, no pngjs', () => {
  const graph = mainEntryGraph();
  expect(graph.size).toBeGreaterThan(20);
  for (const [file, source] of graph) {
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      expect(specifier, file).not.toMatch(NODE_ONLY);
    }
    expect(source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''), file).not.toMatch(/\bBuffer\.|\brequire\(/);
  }
});
