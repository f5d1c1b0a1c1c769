import { isValidSlackRequest } from '@slack/bolt';
import { signCallback, verifyCallback } from './callback-signing';

const SECRET = 'orchestrator-secret-0123456789abcdef';
const BODY = '{"type":"workflow.state_changed","workflow_id":1,"state":"running"}';

describe('callback signing', () => {
  it("signs exactly as Slack signs its requests, so Slack's own check accepts a callback", () => {
    const now = Date.now();
    const timestamp = Math.floor(now / 1000);
    const headers = {
      'x-slack-signature': signCallback(SECRET, timestamp, BODY),
      'x-slack-request-timestamp': timestamp,
    };
    expect(isValidSlackRequest({ signingSecret: SECRET, body: BODY, headers, nowMilliseconds: now })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: `${SECRET}x`, body: BODY, headers, nowMilliseconds: now })).toBe(false);
  });

  it('verifies the signature of the exact body and refuses another body, secret or a stale timestamp', () => {
    const nowSeconds = 1_764_600_000;
    const signature = signCallback(SECRET, nowSeconds, BODY);
    expect(signature).toMatch(/^v0=[0-9a-f]{64}$/);
    const q = { timestamp: String(nowSeconds), body: BODY, signature, nowSeconds };
    expect(verifyCallback(SECRET, q)).toBe(true);
    expect(verifyCallback(SECRET, { ...q, body: `${BODY} ` })).toBe(false);
    expect(verifyCallback('another-secret-0123456789abcdef', q)).toBe(false);
    expect(verifyCallback(SECRET, { ...q, nowSeconds: nowSeconds + 301 })).toBe(false);
  });
});
