/**
 * The fake Slack of the tests is the local Slack of `npm run demo` (dev/local-slack), under the names the
 * tests have always used.
 */
export {
  startSlackWorkspace as startFakeSlack,
  textOf,
  type HasSlackText,
  type SlackBlock,
  type SlackMessageMetadata,
  type SlackWorkspace as FakeSlack,
  type SlackWorkspaceCall as FakeSlackCall,
  type SlackWorkspaceEphemeral as FakeSlackEphemeral,
  type SlackWorkspaceFault as FakeSlackFault,
  type SlackWorkspaceFile as FakeSlackFile,
  type SlackWorkspaceMessage as FakeSlackMessage,
  type SlackWorkspaceMessageVersion as FakeSlackMessageVersion,
  type SlackWorkspaceOptions as FakeSlackOptions,
  type SlackWorkspacePublishedView as FakeSlackPublishedView,
  type SlackWorkspaceResponse as FakeSlackResponse,
  type WorkspaceUserMessageInput as FakeUserMessageInput,
} from '../../dev/local-slack/slack-workspace-server';
