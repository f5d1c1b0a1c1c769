import type { MessageStore } from './message-store';
import type { UploadedFiles } from './uploaded-files';
import type { LocalUserGroup } from './usergroup-methods';
import type { LocalSlackCall, LocalSlackEphemeral, LocalSlackPublishedView, LocalSlackResponse } from './local-slack';

/** The ids the local Slack answers with. */
export interface LocalSlackIds {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
}

/**
 * What the router, the Web API methods and response_url handling share: the ids, the stores, and the
 * records tests inspect. One instance per local Slack server.
 */
export interface LocalSlackState {
  readonly ids: LocalSlackIds;
  readonly messages: MessageStore;
  readonly fileStore: UploadedFiles;
  readonly calls: LocalSlackCall[];
  /** Requests the local Slack did not expect; tests fail on any. */
  readonly unexpected: string[];
  readonly ephemerals: LocalSlackEphemeral[];
  readonly responses: LocalSlackResponse[];
  readonly published: LocalSlackPublishedView[];
  /** The workspace's user groups, by id (usergroups.*). */
  readonly userGroups: Map<string, LocalUserGroup>;
  /** `http://host:port` of the listening server; throws before it listens. */
  readonly origin: string;
}
