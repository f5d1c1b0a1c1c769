/** The workspace's file store under the name the tests use. */
export { SlackWorkspaceFiles as FakeSlackFiles, type SlackWorkspaceFile as FakeSlackFile } from '../../src/workspace/slack-workspace-files';
