import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../../src/store/private-files';
import { createTestTarget, type TestTarget } from './test-target';

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

let root: string;
let target: TestTarget;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'infra-modes-'));
  chmodSync(root, 0o755);
  target = await createTestTarget();
});

afterEach(async () => {
  await target.cleanup();
  rmSync(root, { recursive: true, force: true });
});

test('a backup of the target is readable by the bot only, in a private folder, even one that existed with a wider mode', async () => {
  const dir = join(root, 'backups');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);

  const path = await target.provider.backup(dir);

  expect(modeOf(path)).toBe('600');
  expect(modeOf(dir)).toBe('700');
});

test('a validation record is written 0600, and the workspace folder and its subfolders become 0700', async () => {
  const path = join(root, 'validations', 'wf1', 'migration-test.md');

  await writePrivateFile(root, path, '# record');

  expect(modeOf(path)).toBe('600');
  expect([modeOf(root), modeOf(join(root, 'validations')), modeOf(join(root, 'validations', 'wf1'))]).toEqual([
    '700',
    '700',
    '700',
  ]);
});
