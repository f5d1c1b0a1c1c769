import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { readBody, sendJson } from './local-http';
import type { LocalSlack } from './local-slack';
import { pageState, type PrivateNote, type PagePerson } from './channel-page-state';
import { blockActionsBody, messageEventBody, postToSlackEvents, slashCommandBody } from './slack-requests';

/** What the page needs to know about the channel it shows and the bot behind it. */
export interface ChannelPageOptions {
  channel: { id: string; name: string };
  /** The people the page can act as (requester, approver, someone not allowed). */
  people: PagePerson[];
  /** Commands offered under the composer, e.g. the sample requests. */
  suggestions: string[];
  /** The bot's signing secret: the page's requests are signed as Slack signs them. */
  signingSecret: string;
  /**
   * Things that happen on a schedule in a real Slack workspace, offered as buttons so a person need not wait
   * (e.g. the daily digest); `run` answers a sentence shown to the person who clicked.
   */
  tasks?: Array<{ label: string; run: () => Promise<string> }>;
}

const commandSchema = z.object({ user: z.string().min(1), text: z.string() });
const clickSchema = z.object({ user: z.string().min(1), ts: z.string().min(1), actionId: z.string().min(1) });
const replySchema = z.object({ user: z.string().min(1), threadTs: z.string().min(1), text: z.string().min(1) });
const taskSchema = z.object({ user: z.string().min(1), task: z.number().int().min(0) });

/** The page and its scripts, beside this module (dev/ runs from source, so they are read where they are). */
const HTML = 'text/html; charset=utf-8';
const SCRIPT = 'text/javascript; charset=utf-8';
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(__dirname, 'channel-page.html'), type: HTML },
  '/page/emoji.js': { file: join(__dirname, 'channel-page-emoji.js'), type: SCRIPT },
  '/page/markup.js': { file: join(__dirname, 'channel-page-markup.js'), type: SCRIPT },
  '/page/browser.js': { file: join(__dirname, 'channel-page-browser.js'), type: SCRIPT },
};

/**
 * The channel page of the local Slack: GET / serves it, GET /page/state gives it the channel as one
 * user sees it, and POST /page/{command,click,reply,task} turn what the person does into the signed
 * requests Slack would send to the bot's /slack/events.
 */
export class ChannelPage {
  private localSlack: LocalSlack | undefined;
  private eventsUrl: string | undefined;
  private seq = 0;
  private readonly notes: PrivateNote[] = [];
  /** response_url names handed out, and the user each belongs to. */
  private readonly responseUsers = new Map<string, string>();

  constructor(private readonly options: ChannelPageOptions) {}

  /** Binds the page to its local Slack and to the bot's `POST /slack/events` URL. */
  connect(localSlack: LocalSlack, eventsUrl: string): void {
    this.localSlack = localSlack;
    this.eventsUrl = eventsUrl;
  }

  /** The `extraRoutes` of the local Slack: true when the request was one of the page's. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const route = `${req.method ?? ''} ${url.pathname}`;
    const asset = req.method === 'GET' ? STATIC[url.pathname] : undefined;
    if (asset !== undefined) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
      res.end(readFileSync(asset.file));
      return true;
    }
    if (route === 'GET /page/state') {
      const options = { ...this.options, tasks: (this.options.tasks ?? []).map((t) => t.label) };
      sendJson(
        res,
        200,
        pageState(this.slack(), options, url.searchParams.get('user') ?? '', this.notes, this.responseUsers),
      );
      return true;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/page/files/')) {
      const file = this.slack().files.find((f) => f.id === url.pathname.slice('/page/files/'.length));
      res.writeHead(file?.bytes ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(file?.bytes ?? 'no such file');
      return true;
    }
    const actions: Record<string, (body: unknown) => Promise<unknown>> = {
      'POST /page/command': (body) => this.command(commandSchema.parse(body)),
      'POST /page/click': (body) => this.click(clickSchema.parse(body)),
      'POST /page/reply': (body) => this.reply(replySchema.parse(body)),
      'POST /page/task': (body) => this.runTask(taskSchema.parse(body)),
    };
    const action = actions[route];
    if (action === undefined) return false;
    try {
      sendJson(res, 200, { ok: true, result: await action(JSON.parse(await readBody(req)) as unknown) });
    } catch (error) {
      sendJson(res, 400, {
        ok: false,
        error: error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message,
      });
    }
    return true;
  }

  /** Types a slash command (`/infra …`) as `user`; the ack's message is shown to that user only. */
  async command(input: z.infer<typeof commandSchema>): Promise<{ status: number }> {
    const [command = '', ...rest] = input.text.trim().split(/\s+/);
    const name = this.responseName('cmd', input.user);
    const body = slashCommandBody({
      command,
      text: rest.join(' '),
      userId: input.user,
      channelId: this.options.channel.id,
      channelName: this.options.channel.name,
      teamId: this.slack().teamId,
      responseUrl: this.slack().responseUrl(name),
    });
    const answer = await postToSlackEvents(this.events(), body, {
      signingSecret: this.options.signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });
    const acked = answer.json as { text?: string; blocks?: unknown[] } | undefined;
    if (acked && (acked.text || acked.blocks))
      this.notes.push({ user: input.user, text: acked.text ?? '', blocks: acked.blocks, time: Date.now() });
    if (answer.status !== 200)
      this.notes.push({
        user: input.user,
        text: `:warning: The bot answered HTTP ${answer.status} to ${command}.`,
        time: Date.now(),
      });
    return { status: answer.status };
  }

  /** Clicks the button `actionId` of the message `ts` as `user`, exactly as Slack posts a click. */
  async click(input: z.infer<typeof clickSchema>): Promise<{ status: number }> {
    const channel = this.options.channel.id;
    const message = this.slack().message(channel, input.ts);
    const actions = message?.blocks?.find(
      (b) => b.type === 'actions' && JSON.stringify(b.elements).includes(`"${input.actionId}"`),
    ) as
      | { block_id: string; elements: Array<{ action_id: string; value?: string; text?: { text?: string } }> }
      | undefined;
    const button = actions?.elements.find((e) => e.action_id === input.actionId);
    if (message === undefined || actions === undefined || button === undefined)
      throw new Error(`There is no ${input.actionId} button on that message any more.`);
    const name = this.responseName('click', input.user);
    const body = blockActionsBody({
      userId: input.user,
      channelId: channel,
      channelName: this.options.channel.name,
      teamId: this.slack().teamId,
      messageTs: message.ts,
      threadTs: message.thread_ts,
      actionId: button.action_id,
      blockId: actions.block_id,
      value: button.value ?? '',
      buttonText: button.text?.text,
      responseUrl: this.slack().responseUrl(name, { channel, ts: message.ts }),
      message: { text: message.text, blocks: message.blocks, user: message.user, bot_id: message.bot_id },
      botUserId: this.slack().botUserId,
      botId: this.slack().botId,
    });
    const answer = await postToSlackEvents(this.events(), body, {
      signingSecret: this.options.signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });
    return { status: answer.status };
  }

  /** Replies in a thread as `user`: the message lands in the local Slack, then the bot gets the event. */
  async reply(input: z.infer<typeof replySchema>): Promise<{ status: number; ts: string }> {
    const channel = this.options.channel.id;
    const posted = this.slack().addUserMessage({
      channel,
      user: input.user,
      text: input.text,
      thread_ts: input.threadTs,
    });
    const parent = this.slack().message(channel, input.threadTs);
    const body = messageEventBody({
      eventId: `Ev${Date.now().toString(36).toUpperCase()}${randomBytes(3).toString('hex')}`,
      teamId: this.slack().teamId,
      channelId: channel,
      userId: input.user,
      text: input.text,
      ts: posted.ts,
      threadTs: input.threadTs,
      parentUserId: parent?.user,
      botUserId: this.slack().botUserId,
    });
    const answer = await postToSlackEvents(this.events(), body, {
      signingSecret: this.options.signingSecret,
      contentType: 'application/json',
    });
    return { status: answer.status, ts: posted.ts };
  }

  /** Runs a scheduled task now; what it says is a note for the person who asked. */
  async runTask(input: z.infer<typeof taskSchema>): Promise<{ status: number }> {
    const task = this.options.tasks?.[input.task];
    if (task === undefined) throw new Error('There is no such task on this page.');
    this.notes.push({ user: input.user, text: `:alarm_clock: ${task.label}: ${await task.run()}`, time: Date.now() });
    return { status: 200 };
  }

  private responseName(kind: string, user: string): string {
    const name = `${kind}-${++this.seq}`;
    this.responseUsers.set(name, user);
    return name;
  }

  private slack(): LocalSlack {
    if (this.localSlack === undefined) throw new Error('the channel page is not connected to its local Slack yet');
    return this.localSlack;
  }

  private events(): string {
    if (this.eventsUrl === undefined) throw new Error('the channel page does not know the bot yet');
    return this.eventsUrl;
  }
}
