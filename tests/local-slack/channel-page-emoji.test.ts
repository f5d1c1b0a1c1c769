import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';

const ROOT = join(__dirname, '..', '..');

/** The emoji names the channel page draws, read from its script as the browser loads it. */
function pageEmoji(): Record<string, string> {
  const context: Record<string, unknown> = {};
  createContext(context);
  runInContext(
    `${readFileSync(join(ROOT, 'dev/local-slack/channel-page-emoji.js'), 'utf8')}\nthis.names = EMOJI;`,
    context,
  );
  return context.names as Record<string, string>;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the emoji of the channel page', () => {
  it('draws every :name: emoji the bot and the page write, so none shows as text', () => {
    const known = pageEmoji();
    const used = new Set<string>();
    for (const file of [...sources(join(ROOT, 'src')), join(ROOT, 'dev/local-slack/channel-page.ts')]) {
      // An emoji in a message is `:name:` after a space, a quote or a backtick, never a time like 10:00:00.
      for (const match of readFileSync(file, 'utf8').matchAll(/(?<=[\s'"`(]):([a-z][a-z0-9_+]*):/g))
        used.add(match[1]!);
    }
    expect([...used].filter((name) => !(name in known)).sort()).toEqual([]);
  });

  it('gives the page an icon of its own, so the browser asks for no favicon that is not there', () => {
    expect(readFileSync(join(ROOT, 'dev/local-slack/channel-page.html'), 'utf8')).toMatch(
      /<link rel="icon" href="data:/,
    );
  });
});
