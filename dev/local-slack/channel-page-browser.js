// The channel page of the local Slack: draws the channel, its threads and Block Kit as Slack would, and sends what
// the person types or clicks to the local Slack server, which signs it and posts it to the bot.

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  raising_hand: '🙋',
  raised_hand: '✋',
  heavy_multiplication_x: '✖️',
  traffic_light: '🚥',
  rotating_light: '🚨',
  large_blue_circle: '🔵',
  mag: '🔍',
  rocket: '🚀',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  stop_sign: '🛑',
  thread: '🧵',
  robot_face: '🤖',
  lock: '🔒',
  leftwards_arrow_with_hook: '↩️',
  rewind: '⏪',
  tada: '🎉',
  bar_chart: '📊',
  memo: '📝',
  question: '❓',
  grey_question: '❔',
  information_source: 'ℹ️',
  large_green_circle: '🟢',
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  white_circle: '⚪',
  arrows_counterclockwise: '🔄',
  clipboard: '📋',
  package: '📦',
  gear: '⚙️',
  hammer_and_wrench: '🛠️',
  construction: '🚧',
  eyes: '👀',
  fire: '🔥',
  zap: '⚡',
  calendar: '📅',
  stopwatch: '⏱️',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  sparkles: '✨',
  wastebasket: '🗑️',
  twisted_rightwards_arrows: '🔀',
  arrow_right: '➡️',
  speech_balloon: '💬',
  test_tube: '🧪',
  shield: '🛡️',
  floppy_disk: '💾',
  heavy_minus_sign: '➖',
  black_square_button: '🔲',
  ballot_box_with_check: '☑️',
  fast_forward: '⏩',
  pause_button: '⏸️',
};

const state = { data: null, json: '', user: new URLSearchParams(location.search).get('user') || '', openThread: null };
const $ = (id) => document.getElementById(id);

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

function personName(id) {
  if (state.data && id === state.data.bot.id) return state.data.bot.name;
  const p = state.data?.people.find((x) => x.id === id);
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

function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
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
      return `<div class="block block-image">${b.title ? `<div class="image-title">${textObject(b.title)}</div>` : ''}<img src="${esc(b.image_url)}" alt="${esc(b.alt_text || '')}"></div>`;
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
      `<div class="attachment" style="border-color:${esc(a.color || '#ddd')}">${a.text ? mrkdwn(a.text) : ''}${(a.blocks || []).map((b) => block(b, m.ts)).join('')}</div>`,
    );
  }
  for (const f of m.files || []) {
    parts.push(
      `<div><a class="file" href="/page/files/${esc(f.id)}" target="_blank"><span class="icon">FILE</span><span>${esc(f.title || f.name)}<br><small>${esc(f.name)}</small></span></a></div>`,
    );
  }
  return parts.join('');
}

function message(m, inThread) {
  const name = personName(m.user);
  const replies =
    !inThread && m.replies && m.replies.length
      ? `<div class="replies-link" data-open-thread="${esc(m.ts)}">${m.replies.length} ${m.replies.length === 1 ? 'reply' : 'replies'}</div>`
      : '';
  return (
    `<div class="msg" data-ts="${esc(m.ts)}"><div class="avatar${m.isBot ? ' bot' : ''}">${esc(name.slice(0, 1).toUpperCase())}</div>` +
    `<div class="body"><span class="who">${esc(name)}</span>${m.isBot ? '<span class="badge">APP</span>' : ''}${m.edited ? '<span class="edited">(edited)</span>' : ''}` +
    `${content(m)}${replies}</div></div>`
  );
}

function privateNote(n) {
  return `<div class="private"><div class="only">👁 Only visible to you</div>${content(n)}</div>`;
}

function render() {
  const d = state.data;
  $('channel-name').textContent = `# ${d.channel.name}`;
  $('channel-title').textContent = `# ${d.channel.name}`;
  const notes = d.private.filter((n) => !n.threadTs).slice(-6);
  const channel = d.messages.map((m) => message(m, false)).join('') + notes.map(privateNote).join('');
  setScrolled(
    $('channel-scroll'),
    channel ||
      '<div class="empty">No messages yet. Type a request below, e.g. <code>/infra Add a new table for user preferences</code>.</div>',
  );
  const root = state.openThread && d.messages.find((m) => m.ts === state.openThread);
  $('thread-pane').classList.toggle('open', Boolean(root));
  if (root) {
    $('thread-sub').textContent = `# ${d.channel.name}`;
    const threadNotes = d.private.filter((n) => n.threadTs === root.ts);
    setScrolled(
      $('thread-scroll'),
      message(root, true) + root.replies.map((r) => message(r, true)).join('') + threadNotes.map(privateNote).join(''),
    );
  }
}

/** Replaces a pane's content, staying at the bottom when the reader was there. */
function setScrolled(el, html) {
  const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  el.innerHTML = html;
  if (atBottom) el.scrollTop = el.scrollHeight;
}

async function refresh() {
  const res = await fetch(`/page/state?user=${encodeURIComponent(state.user)}`);
  const json = await res.text();
  if (json === state.json) return;
  state.json = json;
  state.data = JSON.parse(json);
  if (!$('user-select').options.length) setupPeople();
  render();
}

function setupPeople() {
  const select = $('user-select');
  for (const p of state.data.people) select.add(new Option(`${p.name} (${p.role})`, p.id));
  if (!state.data.people.some((p) => p.id === state.user)) state.user = state.data.people[0].id;
  select.value = state.user;
  for (const s of state.data.suggestions) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = s;
    b.onclick = () => {
      $('composer').value = s;
      $('composer').focus();
    };
    $('suggestions').append(b);
  }
  state.data.tasks.forEach((label, task) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'task';
    b.textContent = `⏰ ${label}`;
    b.title = 'Runs now what the bot does on its schedule';
    b.onclick = () => send('/page/task', { task });
    $('suggestions').append(b);
  });
}

async function send(path, body) {
  $('error').textContent = '';
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: state.user, ...body }),
  });
  const answer = await res.json();
  if (!answer.ok) $('error').textContent = answer.error;
  else if (answer.result && answer.result.status !== 200)
    $('error').textContent = `The bot answered HTTP ${answer.result.status}.`;
  await refresh();
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const dialog = $('confirm-dialog');
    $('confirm-title').innerHTML = textObject(confirm.title || { type: 'plain_text', text: 'Are you sure?' });
    $('confirm-text').innerHTML = textObject(confirm.text);
    $('confirm-ok').innerHTML = textObject(confirm.confirm || { type: 'plain_text', text: 'Yes' });
    $('confirm-deny').innerHTML = textObject(confirm.deny || { type: 'plain_text', text: 'Cancel' });
    $('confirm-ok').className = `btn ${confirm.style === 'danger' ? 'danger solid' : 'primary'}`;
    $('confirm-ok').onclick = () => {
      dialog.close();
      resolve(true);
    };
    $('confirm-deny').onclick = () => {
      dialog.close();
      resolve(false);
    };
    dialog.oncancel = () => resolve(false);
    dialog.showModal();
  });
}

document.addEventListener('click', async (event) => {
  const target = event.target.closest('[data-action-id], [data-open-thread], .msg');
  if (!target) return;
  if (target.dataset.actionId) {
    if (target.dataset.confirm && !(await confirmDialog(JSON.parse(target.dataset.confirm)))) return;
    await send('/page/click', { ts: target.dataset.ts, actionId: target.dataset.actionId });
  } else if (target.dataset.openThread || target.closest('#channel-scroll')) {
    if (event.target.closest('a, button')) return;
    state.openThread = target.dataset.openThread || target.dataset.ts;
    render();
  }
});

$('composer-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('composer').value.trim();
  if (!text) return;
  if (!text.startsWith('/')) {
    $('error').textContent =
      'This channel takes slash commands, e.g. /infra help. To talk to an agent, reply in its thread.';
    return;
  }
  $('composer').value = '';
  await send('/page/command', { text });
});

$('thread-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('thread-composer').value.trim();
  if (!text || !state.openThread) return;
  $('thread-composer').value = '';
  await send('/page/reply', { threadTs: state.openThread, text });
});

$('thread-close').onclick = () => {
  state.openThread = null;
  render();
};
$('user-select').onchange = (event) => {
  state.user = event.target.value;
  history.replaceState(null, '', `?user=${encodeURIComponent(state.user)}`);
  state.json = '';
  refresh();
};

refresh();
setInterval(() => refresh().catch(() => undefined), 700);
