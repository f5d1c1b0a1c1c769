import { FaultQueue } from './fault-queue';
import { RateLimits } from './rate-limits';
import { listenLocal, type LocalServer } from './local-http';
import { MessageStore, publicCopy, type StoredMessage } from './message-store';
import { pollUntil, type PollOptions } from './poll-until';
import { ResponseUrls } from './response-urls';
import { DEFAULT_SLACK_IDS } from './slack-ids';
import { UploadedFiles, type UploadedFile } from './uploaded-files';
import type { LocalUserGroup } from './usergroup-methods';
import { webApiMethods } from './web-api-methods';
import { dumpLocalSlack } from './local-slack-dump';
import { localSlackRouter } from './local-slack-router';
import type { LocalSlackIds, LocalSlackState } from './local-slack-state';
import type {
  LocalSlack,
  LocalSlackCall,
  LocalSlackEphemeral,
  LocalSlackFault,
  LocalSlackMessage,
  LocalSlackOptions,
  LocalSlackPublishedView,
  LocalSlackResponse,
  UserMessageInput,
} from './local-slack';

/**
 * Starts the local Slack on 127.0.0.1 with a random port: the fake Slack of the end-to-end tests and the
 * server behind the demo's page.
 */
export async function startLocalSlack(opts: LocalSlackOptions = {}): Promise<LocalSlack> {
  const fake = new LocalSlackServer(opts);
  await fake.listen();
  return fake;
}

/** The local Slack: its state, the router that changes it, and the inspection methods tests call. */
class LocalSlackServer implements LocalSlack, LocalSlackState {
  readonly ids: LocalSlackIds;
  readonly calls: LocalSlackCall[] = [];
  readonly unexpected: string[] = [];
  readonly ephemerals: LocalSlackEphemeral[] = [];
  readonly responses: LocalSlackResponse[] = [];
  readonly published: LocalSlackPublishedView[] = [];
  readonly userGroups = new Map<string, LocalUserGroup>();
  readonly messages: MessageStore;
  readonly fileStore = new UploadedFiles();

  private server: LocalServer | undefined;
  private readonly faults = new FaultQueue();
  private readonly rateLimits: RateLimits;
  private readonly responseUrls = new ResponseUrls(this);
  private readonly extraRoutes: LocalSlackOptions['extraRoutes'];
  private readonly port: number;
  private readonly host: string;

  constructor(opts: LocalSlackOptions) {
    this.ids = {
      botUserId: opts.botUserId ?? DEFAULT_SLACK_IDS.botUserId,
      botId: opts.botId ?? DEFAULT_SLACK_IDS.botId,
      teamId: opts.teamId ?? DEFAULT_SLACK_IDS.teamId,
      appId: opts.appId ?? DEFAULT_SLACK_IDS.appId,
    };
    this.messages = new MessageStore(this.ids.botUserId);
    this.extraRoutes = opts.extraRoutes;
    this.rateLimits = new RateLimits(opts.rateLimits);
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
  }

  async listen(): Promise<void> {
    const route = localSlackRouter(this, {
      methods: webApiMethods(this),
      faults: this.faults,
      rateLimits: this.rateLimits,
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

  get files(): readonly UploadedFile[] {
    return this.fileStore.files;
  }

  responseUrl(name: string, original?: { channel: string; ts: string }): string {
    return this.responseUrls.url(name, original);
  }

  failNext(method: string, fault: LocalSlackFault): void {
    this.faults.push(method, fault);
  }

  callsTo(method: string): LocalSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  channelMessages(channel: string): LocalSlackMessage[] {
    return this.messages.channelMessages(channel);
  }

  thread(channel: string, ts: string): LocalSlackMessage[] {
    return this.messages.thread(channel, ts);
  }

  message(channel: string, ts: string): LocalSlackMessage | undefined {
    return this.messages.message(channel, ts);
  }

  addUserMessage(input: UserMessageInput): LocalSlackMessage {
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

  setUserGroup(group: LocalUserGroup): void {
    this.userGroups.set(group.id, { ...group, users: [...group.users] });
  }

  waitFor<T>(predicate: () => T | undefined | false | null, options: PollOptions = {}): Promise<T> {
    return pollUntil(predicate, options, () => this.dump());
  }

  dump(): string {
    return dumpLocalSlack(this);
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
