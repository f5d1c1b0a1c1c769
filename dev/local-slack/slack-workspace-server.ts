import { FaultQueue } from './fault-queue';
import { listenLocal, type LocalServer } from './local-http';
import { MessageStore, publicCopy, type StoredMessage } from './message-store';
import { pollUntil, type PollOptions } from './poll-until';
import { ResponseUrls } from './response-urls';
import { DEFAULT_SLACK_IDS } from './slack-ids';
import { SlackWorkspaceFiles, type SlackWorkspaceFile } from './slack-workspace-files';
import { webApiMethods } from './web-api-methods';
import { dumpWorkspace } from './workspace-dump';
import { workspaceRouter } from './workspace-router';
import type { WorkspaceIds, WorkspaceState } from './workspace-state';
import type {
  SlackWorkspace,
  SlackWorkspaceCall,
  SlackWorkspaceEphemeral,
  SlackWorkspaceFault,
  SlackWorkspaceMessage,
  SlackWorkspaceOptions,
  SlackWorkspacePublishedView,
  SlackWorkspaceResponse,
  WorkspaceUserMessageInput,
} from './slack-workspace';

export { textOf, type HasSlackText } from './block-text';
export type { SlackWorkspaceFile } from './slack-workspace-files';
export type * from './slack-workspace';

/**
 * Starts the workspace on 127.0.0.1 with a random port: the fake Slack of the end-to-end tests and the
 * server behind the demo's page.
 */
export async function startSlackWorkspace(opts: SlackWorkspaceOptions = {}): Promise<SlackWorkspace> {
  const fake = new SlackWorkspaceServer(opts);
  await fake.listen();
  return fake;
}

/** The workspace: its state, the router that changes it, and the inspection methods tests call. */
class SlackWorkspaceServer implements SlackWorkspace, WorkspaceState {
  readonly ids: WorkspaceIds;
  readonly calls: SlackWorkspaceCall[] = [];
  readonly unexpected: string[] = [];
  readonly ephemerals: SlackWorkspaceEphemeral[] = [];
  readonly responses: SlackWorkspaceResponse[] = [];
  readonly published: SlackWorkspacePublishedView[] = [];
  readonly messages: MessageStore;
  readonly fileStore = new SlackWorkspaceFiles();

  private server: LocalServer | undefined;
  private readonly faults = new FaultQueue();
  private readonly responseUrls = new ResponseUrls(this);
  private readonly extraRoutes: SlackWorkspaceOptions['extraRoutes'];
  private readonly port: number;
  private readonly host: string;

  constructor(opts: SlackWorkspaceOptions) {
    this.ids = {
      botUserId: opts.botUserId ?? DEFAULT_SLACK_IDS.botUserId,
      botId: opts.botId ?? DEFAULT_SLACK_IDS.botId,
      teamId: opts.teamId ?? DEFAULT_SLACK_IDS.teamId,
      appId: opts.appId ?? DEFAULT_SLACK_IDS.appId,
    };
    this.messages = new MessageStore(this.ids.botUserId);
    this.extraRoutes = opts.extraRoutes;
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
  }

  async listen(): Promise<void> {
    const route = workspaceRouter(this, {
      methods: webApiMethods(this),
      faults: this.faults,
      responseUrls: this.responseUrls,
      extraRoutes: this.extraRoutes,
    });
    this.server = await listenLocal(
      route,
      (error) => this.unexpected.push(`fake Slack crashed: ${error instanceof Error ? error.stack : String(error)}`),
      this.port,
      this.host,
    );
  }

  get botUserId(): string {
    return this.ids.botUserId;
  }

  get botId(): string {
    return this.ids.botId;
  }

  get teamId(): string {
    return this.ids.teamId;
  }

  get appId(): string {
    return this.ids.appId;
  }

  get origin(): string {
    if (this.server === undefined) {
      throw new Error('fake Slack is not listening');
    }
    return this.server.origin;
  }

  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  get files(): readonly SlackWorkspaceFile[] {
    return this.fileStore.files;
  }

  responseUrl(name: string, original?: { channel: string; ts: string }): string {
    return this.responseUrls.url(name, original);
  }

  failNext(method: string, fault: SlackWorkspaceFault): void {
    this.faults.push(method, fault);
  }

  callsTo(method: string): SlackWorkspaceCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  channelMessages(channel: string): SlackWorkspaceMessage[] {
    return this.messages.channelMessages(channel);
  }

  thread(channel: string, ts: string): SlackWorkspaceMessage[] {
    return this.messages.thread(channel, ts);
  }

  message(channel: string, ts: string): SlackWorkspaceMessage | undefined {
    return this.messages.message(channel, ts);
  }

  addUserMessage(input: WorkspaceUserMessageInput): SlackWorkspaceMessage {
    const stored: StoredMessage = {
      type: 'message',
      channel: input.channel,
      ts: this.messages.nextTs(),
      text: input.text,
      user: input.user,
      deleted: false,
      history: [],
    };
    if (input.thread_ts !== undefined) stored.thread_ts = input.thread_ts;
    if (input.blocks !== undefined) stored.blocks = input.blocks;
    this.messages.add(stored, 'addUserMessage');
    return publicCopy(stored);
  }

  waitFor<T>(predicate: () => T | undefined | false | null, options: PollOptions = {}): Promise<T> {
    return pollUntil(predicate, options, () => this.dump());
  }

  dump(): string {
    return dumpWorkspace(this);
  }

  assertNoUnexpected(): void {
    if (this.unexpected.length > 0) {
      throw new Error(`Fake Slack received unexpected requests:\n${this.unexpected.map((u) => `  - ${u}`).join('\n')}`);
    }
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
