import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';

/** The squawk executable this machine can run, or why there is none. */
export type SquawkBinary = { ok: true; path: string } | { ok: false; reason: string };

const squawkPackageSchema = z.object({
  version: z.string(),
  optionalDependencies: z.record(z.string(), z.string()),
});

/**
 * Finds squawk the way the `squawk-cli` package does: its optional dependency `@squawk-cli/<platform>-<arch>`
 * (Linux and macOS on x64 and arm64, Windows on x64) holds the native binary. Resolved from squawk-cli's own
 * folder, so it is the binary of the squawk-cli version installed, and checked to be executable here.
 */
export function findSquawkBinary(platform: string = process.platform, arch: string = process.arch): SquawkBinary {
  let manifestPath: string;
  try {
    manifestPath = require.resolve('squawk-cli/package.json');
  } catch {
    return { ok: false, reason: 'the squawk-cli package is not installed: run `npm ci`' };
  }
  const manifest = squawkPackageSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!manifest.success) return { ok: false, reason: `squawk-cli's package.json does not list its platform binaries` };
  const pkg = `@squawk-cli/${platform}-${arch}`;
  const supported = Object.keys(manifest.data.optionalDependencies).filter((d) => d.startsWith('@squawk-cli/'));
  if (!supported.includes(pkg)) {
    return {
      ok: false,
      reason:
        `squawk ${manifest.data.version} has no binary for ${platform}-${arch} (it ships ` +
        `${supported.map((d) => d.slice('@squawk-cli/'.length)).join(', ')})`,
    };
  }
  let path: string;
  try {
    path = createRequire(manifestPath).resolve(`${pkg}/bin/squawk${platform === 'win32' ? '.exe' : ''}`);
  } catch {
    return {
      ok: false,
      reason: `${pkg} is not installed: reinstall with optional dependencies (\`npm ci --include=optional\`)`,
    };
  }
  return executable(path);
}

/** `path` as a runnable squawk, or why it cannot run (missing, or not executable by this user). */
export function executable(path: string): SquawkBinary {
  try {
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === 'ENOENT' ? `${path} does not exist` : `${path} is not executable (${code ?? 'no access'})`,
    };
  }
}
