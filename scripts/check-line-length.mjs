#!/usr/bin/env node
// Fails when a source line is longer than MAX characters. Biome formats code at 120 columns but leaves
// string literals and comments alone, so this check covers what the formatter cannot.
// A line that truly cannot be split (a URL, say) may opt out with a trailing `// line-length: <reason>`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 140;
const FOLDERS = ['src', 'dev', 'tests', 'bench', 'scripts'];
const EXTENSIONS = /\.(ts|js|mjs|cjs)$/;
const OPT_OUT = /\/\/ line-length: \S.*$/;

const files = execFileSync('git', ['ls-files', '-z', '--', ...FOLDERS], { encoding: 'utf8' })
  .split('\0')
  .filter((file) => EXTENSIONS.test(file));

let failures = 0;
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    const length = [...line].length;
    if (length > MAX && !OPT_OUT.test(line)) {
      console.log(`${file}:${index + 1}: ${length} characters (max ${MAX})`);
      failures += 1;
    }
  });
}

if (failures > 0) {
  console.log(`${failures} line(s) longer than ${MAX} characters.`);
  process.exit(1);
}
