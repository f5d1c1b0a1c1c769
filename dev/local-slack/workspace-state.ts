import type { MessageStore } from './message-store';
import type { SlackWorkspaceFiles } from './slack-workspace-files';
import type {
  SlackWorkspaceCall,
  SlackWorkspaceEphemeral,
  SlackWorkspacePublishedView,
  SlackWorkspaceResponse,
} from './slack-workspace';

/** The ids the local Slack answers with. */
export interface WorkspaceIds {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
}

/**
 * What the router, the Web API methods and response_url handling share: the ids, the stores, and the
 * records tests inspect. One instance per workspace server.
 */
export interface WorkspaceState {
  readonly ids: WorkspaceIds;
  readonly messages: MessageStore;
  readonly fileStore: SlackWorkspaceFiles;
  readonly calls: SlackWorkspaceCall[];
  /** Requests the workspace did not expect; tests fail on any. */
  readonly unexpected: string[];
  readonly ephemerals: SlackWorkspaceEphemeral[];
  readonly responses: SlackWorkspaceResponse[];
  readonly published: SlackWorkspacePublishedView[];
  /** `http://host:port` of the listening server; throws before it listens. */
  readonly origin: string;
}
