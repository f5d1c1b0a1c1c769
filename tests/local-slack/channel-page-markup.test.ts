import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';

/** Any DOM element the page script touches at load: every property reads as a no-op or another stub. */
function stubElement(): unknown {
  return new Proxy(() => undefined, {
    get: (_target, key) => (key === 'options' ? [] : stubElement()),
    set: () => true,
    apply: () => undefined,
  });
}

/** The page's scripts, in the order channel-page.html loads them (they share one global scope). */
const PAGE_SCRIPTS = ['channel-page-emoji.js', 'channel-page-markup.js', 'channel-page-browser.js'];

/** The page scripts' global functions, loaded without a browser: fetch never answers, timers never fire. */
function loadPage(): { mrkdwn: (text: string) => string; richText: (node: unknown) => string } {
  const context: Record<string, unknown> = {
    document: {
      getElementById: () => stubElement(),
      addEventListener: () => undefined,
      createElement: () => stubElement(),
    },
    location: { search: '' },
    history: { replaceState: () => undefined },
    fetch: () => new Promise(() => undefined),
    setInterval: () => 0,
    URLSearchParams,
  };
  createContext(context);
  for (const script of PAGE_SCRIPTS) {
    runInContext(readFileSync(join(__dirname, '..', '..', 'dev', 'local-slack', script), 'utf8'), context);
  }
  return context as unknown as { mrkdwn: (text: string) => string; richText: (node: unknown) => string };
}

describe('the channel page renderer', () => {
  const page = loadPage();

  it('links http, https and mailto URLs', () => {
    expect(page.mrkdwn('<https://example.com/a?b=1|docs>')).toBe(
      '<a href="https://example.com/a?b=1" target="_blank" rel="noreferrer">docs</a>',
    );
    expect(page.mrkdwn('<http://example.com>')).toContain('<a href="http://example.com"');
    expect(page.mrkdwn('<mailto:ops@example.com|mail us>')).toContain('<a href="mailto:ops@example.com"');
  });

  it('renders a javascript: or data: link in mrkdwn as text, not as a link', () => {
    for (const url of [
      'javascript:alert(document.cookie)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<b>x</b>',
    ]) {
      const html = page.mrkdwn(`<${url}|click me>`);
      expect(html).not.toContain('<a ');
      expect(html).toContain('click me');
    }
  });

  it('renders a javascript: link in rich text as text, not as a link', () => {
    const html = page.richText({ type: 'link', url: 'javascript:alert(1)', text: 'click me' });
    expect(html).not.toContain('<a ');
    expect(html).toBe('click me');
  });
});
