// The channel page of the local Slack in the browser: polls what one user sees, draws it with
// channel-page-markup.js, and sends what the person types or clicks to the local Slack server, which
// signs it and posts it to the bot.

const state = { data: null, json: '', user: new URLSearchParams(location.search).get('user') || '', openThread: null };
const $ = (id) => document.getElementById(id);

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
  directory.bot = state.data.bot;
  directory.people = state.data.people;
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
