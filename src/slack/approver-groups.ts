import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ApproverGroup, GatePolicy } from '../domain/approval-policy';
import type { Logger } from '../logger';

const listSchema = z.object({
  usergroups: z.array(z.object({ id: z.string(), handle: z.string() })),
});
const usersSchema = z.object({ users: z.array(z.string()) });

/**
 * INFRA_APPROVER_GROUPS, read from Slack: handles become ids through `usergroups.list`, and each group's
 * members come from `usergroups.users.list`. The members are kept in memory and read again every
 * INFRA_APPROVER_GROUPS_REFRESH by `start()`; a failed read keeps the members last read (none before the
 * first success: the bot fails closed), and says so in the log.
 */
export class ApproverGroups {
  private groups: ApproverGroup[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Pick<WebClient, 'usergroups'>,
    /** Handles (`@platform-leads`) and ids (`S…`), as the config gives them. */
    private readonly names: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** The groups as last read, each with its members. */
  current(): readonly ApproverGroup[] {
    return this.groups;
  }

  /** Reads every group again; true when it succeeded. */
  async refresh(): Promise<boolean> {
    try {
      const ids = await this.resolveIds();
      const groups: ApproverGroup[] = [];
      for (const id of ids) {
        const answer = usersSchema.parse(await this.client.usergroups.users.list({ usergroup: id }));
        groups.push({ id, members: answer.users });
      }
      this.groups = groups;
      return true;
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, groups: this.names },
        'could not read INFRA_APPROVER_GROUPS from Slack; the members last read stay approvers (check usergroups:read)',
      );
      return false;
    }
  }

  /**
   * Reads the groups now, then every `intervalMs`. Start-up waits for the first read at most
   * `firstReadMs`: a slow Slack (the client retries) does not hold the bot, whose groups fill in then.
   */
  async start(intervalMs: number, firstReadMs = 10_000): Promise<void> {
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      this.refresh(),
      new Promise((resolve) => {
        waited = setTimeout(resolve, firstReadMs);
      }),
    ]);
    clearTimeout(waited);
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async resolveIds(): Promise<string[]> {
    const handles = this.names.filter((n) => n.startsWith('@'));
    const ids = this.names.filter((n) => !n.startsWith('@'));
    if (!handles.length) return ids;
    const { usergroups } = listSchema.parse(await this.client.usergroups.list({}));
    for (const handle of handles) {
      const found = usergroups.find((g) => `@${g.handle.toLowerCase()}` === handle);
      if (found) ids.push(found.id);
      else
        this.logger.warn({ handle }, 'INFRA_APPROVER_GROUPS names a user group Slack does not know; check the handle');
    }
    return [...new Set(ids)];
  }
}

/**
 * The gate policy of the settings, with the approver groups read live: every decision sees the groups'
 * members as last refreshed, without the policy (pure, in domain/) knowing about Slack.
 */
export function livePolicy(
  settings: Omit<GatePolicy, 'approverGroups'>,
  groups: ApproverGroups | undefined,
): GatePolicy {
  if (!groups) return settings;
  return {
    ...settings,
    get approverGroups() {
      return groups.current();
    },
  };
}
