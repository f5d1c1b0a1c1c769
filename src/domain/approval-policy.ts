/**
 * Who may do what: the one place that says it. Gates, the report's production rollback, answers to an
 * agent's question, comments the agents read and cancelling all ask here.
 */

/** Who may decide gates (INFRA_APPROVERS and INFRA_REQUESTER_MAY_APPROVE_MERGE). */
export interface GatePolicy {
  /**
   * The approvers' Slack user ids; `'*'` makes everyone in the channel an approver. Unset means nobody:
   * the bot fails closed, so no gate can be decided and nothing rolled back until it is set.
   */
  approvers?: readonly string[] | '*';
  /** When false (the default), the requester may not approve the gate that merges to production. */
  requesterMayApproveMerge: boolean;
}

const HOW_TO_SET =
  'Set INFRA_APPROVERS to the approvers’ Slack user ids (comma separated), or to `*` to let everyone in the ' +
  'channel decide, and restart the bot.';

const mention = (id: string): string => `<@${id}>`;

/** True when `user` is an approver: listed in INFRA_APPROVERS, or anyone when it is `*`. */
export function isApprover(policy: GatePolicy, user: string): boolean {
  return policy.approvers === '*' || (policy.approvers ?? []).includes(user);
}

/** Why `user` may not act as an approver for `what` (e.g. "decide this gate"), or undefined when they may. */
function approverRefusal(policy: GatePolicy, user: string, what: string): string | undefined {
  if (policy.approvers === undefined || (policy.approvers !== '*' && policy.approvers.length === 0)) {
    return `Nobody can ${what} until INFRA_APPROVERS is set. ${HOW_TO_SET}`;
  }
  if (isApprover(policy, user)) return undefined;
  return `Only the approvers (${(policy.approvers as readonly string[]).map(mention).join(', ')}) can ${what}. Ask one of them.`;
}

/**
 * Why `user` may not decide a gate, or undefined when they may: approvers only, and the requester does
 * not let the gate that merges their own change pass (`passes`: an approval, or anything else that
 * opens the gate) unless the policy allows it. Rejecting or rolling back is always theirs to do.
 */
export function gateDecisionRefusal(
  policy: GatePolicy,
  gate: { merges: boolean; requester: string },
  passes: boolean,
  user: string,
): string | undefined {
  const refusal = approverRefusal(policy, user, 'decide this gate');
  if (refusal) return refusal;
  if (passes && gate.merges && user === gate.requester && !policy.requesterMayApproveMerge) {
    return 'You requested this change, so someone else must approve the gate that merges it to production. Ask another approver.';
  }
  return undefined;
}

/** Why `user` may not roll production back, or undefined when they may: approvers only. */
export function rollbackRefusal(policy: GatePolicy, user: string): string | undefined {
  return approverRefusal(policy, user, 'roll back production');
}

/** The requester and the approvers: the people whose thread text the agents read and whose answers count. */
export function mayTalkToAgents(policy: GatePolicy, workflow: { requester: string }, user: string): boolean {
  return user === workflow.requester || isApprover(policy, user);
}

/** A thread comment an agent may read, with its author and why the author is heard. */
export interface HeardComment {
  user: string;
  role: 'requester' | 'approver';
  text: string;
}

/** The comments of the requester and the approvers, oldest first; everyone else's never reach an agent. */
export function commentsForAgents(
  policy: GatePolicy,
  workflow: { requester: string },
  comments: ReadonlyArray<{ user: string; text: string }>,
): HeardComment[] {
  return comments
    .filter((c) => mayTalkToAgents(policy, workflow, c.user))
    .map((c) => ({ user: c.user, role: c.user === workflow.requester ? 'requester' : 'approver', text: c.text }));
}

/** Who may answer an agent's question, in mrkdwn with mentions (for the note to anyone else). */
export function whoMayAnswer(policy: GatePolicy, workflow: { requester: string }): string {
  const listed = policy.approvers === '*' ? undefined : (policy.approvers ?? []);
  if (listed === undefined) return `the requester ${mention(workflow.requester)} or anyone in the channel`;
  if (listed.length === 0) return `the requester ${mention(workflow.requester)}`;
  return `the requester ${mention(workflow.requester)} or an approver (${listed.map(mention).join(', ')})`;
}

/** Why `user` may not cancel the workflow, or undefined when they may: the requester or an approver. */
export function cancelRefusal(
  policy: GatePolicy,
  workflow: { id: number; requester: string },
  user: string,
): string | undefined {
  if (mayTalkToAgents(policy, workflow, user)) return undefined;
  return `Only the requester (${mention(workflow.requester)}) or an approver can cancel workflow #${workflow.id}.`;
}

/** True when `user` may decide the gate and has not approved it yet: the gate waits for them. */
export function gateWaitsFor(
  policy: GatePolicy,
  gate: { merges: boolean; requester: string; approvals: readonly string[] },
  user: string,
): boolean {
  return !gate.approvals.includes(user) && gateDecisionRefusal(policy, gate, true, user) === undefined;
}

/** The context line under a gate's buttons: who may decide, or that nobody can until INFRA_APPROVERS is set. */
export function approversNote(policy: GatePolicy, merges: boolean, requester: string): string {
  const approvers = policy.approvers;
  if (approvers === undefined || (approvers !== '*' && approvers.length === 0)) {
    return `:lock: Nobody can decide this gate until INFRA_APPROVERS is set. ${HOW_TO_SET}`;
  }
  const who =
    approvers === '*'
      ? 'Anyone in the channel may decide (INFRA_APPROVERS=*)'
      : `Approvers: ${approvers.map(mention).join(', ')}`;
  const notRequester =
    merges && !policy.requesterMayApproveMerge
      ? ` · the requester ${mention(requester)} may not approve the merge`
      : '';
  return `${who}${notRequester}`;
}
