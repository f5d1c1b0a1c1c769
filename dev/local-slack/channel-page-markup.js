// Slack's markup as HTML for the channel page: mrkdwn, rich text, Block Kit blocks and whole messages,
// drawn as Slack draws them. Loaded after channel-page-emoji.js, before channel-page-browser.js.

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Slack escapes &, < and > in message text; the page shows them as characters. */
function unslack(s) {
  return String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Only http(s) and mailto URLs become links; anything else (javascript:, data:, …) is shown as text. */
function safeUrl(url) {
  return /^(https?:\/\/|mailto:)/i.test(String(url)) ? String(url) : null;
}

/** Who is who, for mentions and authors: the page fills it in from every state it fetches. */
const directory = { bot: null, people: [] };

function personName(id) {
  if (directory.bot && id === directory.bot.id) return directory.bot.name;
  const p = directory.people.find((x) => x.id === id);
  return p ? p.name : id;
}

/** `<!date^seconds^format|fallback>`: the time in the reader's zone, as Slack shows it. */
function slackDate(token, fallback) {
  const seconds = Number(token.split('^')[1]);
  if (!Number.isFinite(seconds)) return fallback || token;
  const date = new Date(seconds * 1000);
  const day = date.toDateString() === new Date().toDateString() ? 'Today' : date.toLocaleDateString();
  return `${day} at ${date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

/** Slack's mrkdwn, the parts this bot uses: code, links, mentions, bold, italic, strike, quotes, emoji. */
function mrkdwn(text) {
  const saved = [];
  const keep = (html) => `\u0000${saved.push(html) - 1}\u0000`;
  let s = String(text)
    .replace(/```([\s\S]*?)```/g, (_m, code) => keep(`<pre>${esc(unslack(code.replace(/^\n/, '')))}</pre>`))
    .replace(/`([^`\n]+)`/g, (_m, code) => keep(`<code>${esc(unslack(code))}</code>`))
    .replace(/<([^<>\n]+)>/g, (_m, inner) => {
      const [target, label] = inner.split('|');
      if (target.startsWith('@')) return keep(`<span class="mention">@${esc(personName(target.slice(1)))}</span>`);
      if (target.startsWith('#')) return keep(`<span class="mention">#${esc(label || target.slice(1))}</span>`);
      if (target.startsWith('!date^')) return keep(esc(slackDate(target, label)));
      if (target.startsWith('!')) return keep(`<span class="mention">@${esc(target.slice(1))}</span>`);
      const url = safeUrl(unslack(target));
      if (!url) return keep(esc(unslack(label || target)));
      return keep(`<a href="${esc(url)}" target="_blank" rel="noreferrer">${esc(unslack(label || target))}</a>`);
    });
  s = esc(unslack(s))
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1<s>$2</s>')
    .replace(/^&gt; ?(.*)$/gm, '<blockquote>$1</blockquote>');
  s = emoji(s).replace(/\n/g, '<br>');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL brackets the placeholders the escaping above cannot produce
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i) => saved[Number(i)]);
}

function textObject(t) {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text) : emoji(esc(t.text));
}

function button(el, ts) {
  const style = el.style === 'primary' ? ' primary' : el.style === 'danger' ? ' danger' : '';
  const confirm = el.confirm ? ` data-confirm="${esc(JSON.stringify(el.confirm))}"` : '';
  return `<button class="btn${style}" data-ts="${esc(ts)}" data-action-id="${esc(el.action_id)}"${confirm}>${textObject(el.text)}</button>`;
}

function element(el, ts) {
  if (el.type === 'button') return button(el, ts);
  if (el.type === 'image')
    return `<img src="${esc(el.image_url)}" alt="${esc(el.alt_text || '')}" title="${esc(el.alt_text || '')}">`;
  if (el.type === 'mrkdwn' || el.type === 'plain_text') return `<span>${textObject(el)}</span>`;
  return `<span>[${esc(el.type)}]</span>`;
}

function richText(node) {
  if (!node) return '';
  if (Array.isArray(node)) return node.map(richText).join('');
  if (node.type === 'text') return esc(node.text);
  if (node.type === 'link')
    return safeUrl(node.url)
      ? `<a href="${esc(node.url)}" rel="noreferrer">${esc(node.text || node.url)}</a>`
      : esc(node.text || node.url);
  if (node.type === 'user') return `<span class="mention">@${esc(personName(node.user_id))}</span>`;
  if (node.type === 'emoji') return EMOJI[node.name] || `:${esc(node.name)}:`;
  if (node.type === 'rich_text_preformatted') return `<pre>${richText(node.elements)}</pre>`;
  return richText(node.elements);
}

function block(b, ts) {
  switch (b.type) {
    case 'header':
      return `<div class="block block-header">${textObject(b.text)}</div>`;
    case 'divider':
      return '<hr class="block-divider">';
    case 'context':
      return `<div class="block block-context">${(b.elements || []).map((e) => element(e, ts)).join('')}</div>`;
    case 'actions':
      return `<div class="block actions">${(b.elements || []).map((e) => element(e, ts)).join('')}</div>`;
    case 'image':
      return (
        `<div class="block block-image">${b.title ? `<div class="image-title">${textObject(b.title)}</div>` : ''}` +
        `<img src="${esc(b.image_url)}" alt="${esc(b.alt_text || '')}"></div>`
      );
    case 'markdown':
      return `<div class="block text">${mrkdwn(b.text)}</div>`;
    case 'rich_text':
      return `<div class="block text">${richText(b.elements)}</div>`;
    case 'section': {
      const fields = b.fields
        ? `<div class="fields">${b.fields.map((f) => `<div>${textObject(f)}</div>`).join('')}</div>`
        : '';
      const acc = b.accessory;
      const accessory = !acc
        ? ''
        : acc.type === 'image'
          ? `<img class="accessory-image" src="${esc(acc.image_url)}" alt="${esc(acc.alt_text || '')}">`
          : `<div>${element(acc, ts)}</div>`;
      return `<div class="block section"><div class="content text">${textObject(b.text)}${fields}</div>${accessory}</div>`;
    }
    default:
      return `<div class="block empty">Unsupported block: ${esc(b.type)}</div>`;
  }
}

function content(m) {
  const parts = [];
  if (m.blocks?.length) parts.push(m.blocks.map((b) => block(b, m.ts)).join(''));
  else if (m.text) parts.push(`<div class="text">${mrkdwn(m.text)}</div>`);
  for (const a of m.attachments || []) {
    parts.push(
      `<div class="attachment" style="border-color:${esc(a.color || '#ddd')}">` +
        `${a.text ? mrkdwn(a.text) : ''}${(a.blocks || []).map((b) => block(b, m.ts)).join('')}</div>`,
    );
  }
  for (const f of m.files || []) {
    parts.push(
      `<div><a class="file" href="/page/files/${esc(f.id)}" target="_blank"><span class="icon">FILE</span>` +
        `<span>${esc(f.title || f.name)}<br><small>${esc(f.name)}</small></span></a></div>`,
    );
  }
  return parts.join('');
}

// biome-ignore lint/correctness/noUnusedVariables: a global of the page's scripts, called by channel-page-browser.js
function message(m, inThread) {
  const name = personName(m.user);
  const replies =
    !inThread && m.replies && m.replies.length
      ? `<div class="replies-link" data-open-thread="${esc(m.ts)}">${m.replies.length} ` +
        `${m.replies.length === 1 ? 'reply' : 'replies'}</div>`
      : '';
  return (
    `<div class="msg" data-ts="${esc(m.ts)}">` +
    `<div class="avatar${m.isBot ? ' bot' : ''}">${esc(name.slice(0, 1).toUpperCase())}</div>` +
    `<div class="body"><span class="who">${esc(name)}</span>` +
    `${m.isBot ? '<span class="badge">APP</span>' : ''}${m.edited ? '<span class="edited">(edited)</span>' : ''}` +
    `${content(m)}${replies}</div></div>`
  );
}

// biome-ignore lint/correctness/noUnusedVariables: a global of the page's scripts, called by channel-page-browser.js
function privateNote(n) {
  return `<div class="private"><div class="only">👁 Only visible to you</div>${content(n)}</div>`;
}
