import { blockKitProblems } from './block-kit-limits';
import { channelHistory, postEphemeral, postMessage, threadReplies, updateMessage } from './chat-methods';
import type { StoredMessage } from './message-store';
import { fail, isRecord, ok, randomId, optionalString, type ApiAnswer } from './slack-api-wire';
import type { LocalSlackState } from './local-slack-state';
import { listUserGroups, userGroupUsers } from './usergroup-methods';

/** One Web API method: the call's parameters in, Slack's answer out. */
export type ApiHandler = (params: Record<string, unknown>) => ApiAnswer;

/** The Web API methods the local Slack answers, by name; any other method is unexpected. */
export function webApiMethods(state: LocalSlackState): Record<string, ApiHandler> {
  return {
    'auth.test': () => authTest(state),
    'chat.postMessage': (p) => postMessage(state, p),
    'chat.update': (p) => updateMessage(state, p),
    'chat.postEphemeral': (p) => postEphemeral(state, p),
    'conversations.replies': (p) => threadReplies(state, p),
    'conversations.history': (p) => channelHistory(state, p),
    'views.publish': (p) => publishView(state, p),
    'files.getUploadURLExternal': (p) => getUploadUrl(state, p),
    'files.completeUploadExternal': (p) => completeUpload(state, p),
    'usergroups.list': (p) => listUserGroups(state, p),
    'usergroups.users.list': (p) => userGroupUsers(state, p),
  };
}

function authTest(state: LocalSlackState): ApiAnswer {
  return ok({
    url: 'https://test-team.slack.com/',
    team: 'Test Team',
    user: 'infra-bot',
    team_id: state.ids.teamId,
    user_id: state.ids.botUserId,
    bot_id: state.ids.botId,
    is_enterprise_install: false,
  });
}

function getUploadUrl(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const answer = state.fileStore.getUploadUrl(p, state.origin);
  return answer.ok ? ok(answer.body) : fail(answer.error);
}

/** Shares the uploaded files: in a channel or thread, Slack posts a message from the bot that carries them. */
function completeUpload(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const answer = state.fileStore.complete(p);
  if (!answer.ok) return fail(answer.error);
  const channel = optionalString(p.channel_id);
  if (channel !== undefined && channel !== '' && answer.shared !== undefined) {
    const threadTs = state.messages.threadRoot(channel, optionalString(p.thread_ts));
    const stored: StoredMessage = {
      type: 'message',
      channel,
      ts: state.messages.nextTs(),
      text: optionalString(p.initial_comment) ?? '',
      user: state.ids.botUserId,
      bot_id: state.ids.botId,
      deleted: false,
      history: [],
      files: answer.shared.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename })),
    };
    if (threadTs !== undefined) stored.thread_ts = threadTs;
    state.messages.add(stored, 'chat.postMessage');
    for (const f of answer.shared) f.messageTs = stored.ts;
  }
  return ok(answer.body);
}

/** views.publish: an App Home view, checked against Block Kit's limits and answered as Slack fills it in. */
function publishView(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  const userId = optionalString(p.user_id);
  if (userId === undefined || userId === '') return fail('invalid_arguments');
  const view = p.view;
  if (!isRecord(view)) {
    state.unexpected.push(`views.publish: view is not a JSON object`);
    return fail('invalid_arguments');
  }
  const problems = view.blocks === undefined ? [] : blockKitProblems(view.blocks, 100, '/view/blocks');
  if (view.type !== 'home') problems.push('must be home [json-pointer:/view/type]');
  if (problems.length > 0) {
    state.unexpected.push(`views.publish: invalid view: ${problems.join('; ')}`);
    return fail('invalid_arguments', { response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) } });
  }
  const { appId, botId, teamId } = state.ids;
  const viewId = `V${randomId(10)}`;
  const answered: Record<string, unknown> = {
    id: viewId,
    team_id: teamId,
    type: 'home',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomId(8)}`,
    title: { type: 'plain_text', text: 'View Title', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: viewId,
    app_id: appId,
    external_id: '',
    app_installed_team_id: teamId,
    bot_id: botId,
    ...view,
  };
  answered.id = viewId;
  state.published.push({ user_id: userId, view_id: viewId, view: answered, time: Date.now() });
  return ok({ view: answered });
}
