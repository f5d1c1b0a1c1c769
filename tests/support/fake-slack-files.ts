/** The local Slack's file store under the name the tests use. */
export {
  SlackWorkspaceFiles as FakeSlackFiles,
  type SlackWorkspaceFile as FakeSlackFile,
} from '../../dev/local-slack/slack-workspace-files';
