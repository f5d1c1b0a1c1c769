/**
 * A light check of Slack's documented Block Kit limits, so a message Slack would refuse with
 * `invalid_blocks` is refused by the fake too. Each problem is described the way Slack does:
 * `<reason> [json-pointer:<path>]`. Unknown block types are accepted.
 */
export function blockKitProblems(blocks: unknown, maxBlocks: number, pointer = '/blocks'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) {
    return [`must provide an array [json-pointer:${pointer}]`];
  }
  if (blocks.length > maxBlocks) {
    problems.push(`must be less than ${maxBlocks + 1} items [json-pointer:${pointer}]`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block)) {
      problems.push(`must provide an object [json-pointer:${at}]`);
      return;
    }
    if (typeof block.type !== 'string' || block.type === '') {
      problems.push(`missing required field: type [json-pointer:${at}]`);
      return;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length > 255) {
        problems.push(`must be a string of at most 255 characters [json-pointer:${at}/block_id]`);
      } else if (blockIds.has(block.block_id)) {
        problems.push(`duplicate block_id: ${block.block_id} [json-pointer:${at}/block_id]`);
      } else {
        blockIds.add(block.block_id);
      }
    }
    checkBlock(block, at, problems);
  });
  return problems;
}

function checkBlock(block: Record<string, unknown>, at: string, problems: string[]): void {
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        problems.push(`must provide either text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined) {
        checkTextObject(block.text, `${at}/text`, 3000, ['plain_text', 'mrkdwn'], problems);
      }
      if (block.fields !== undefined) {
        for (const [i, field] of checkArray(block.fields, `${at}/fields`, 1, 10, problems).entries()) {
          checkTextObject(field, `${at}/fields/${i}`, 2000, ['plain_text', 'mrkdwn'], problems);
        }
      }
      if (block.accessory !== undefined) {
        checkElement(block.accessory, `${at}/accessory`, problems);
      }
      return;
    }
    case 'header':
      checkTextObject(block.text, `${at}/text`, 150, ['plain_text'], problems);
      return;
    case 'context':
      checkArray(block.elements, `${at}/elements`, 1, 10, problems).forEach((element, i) => {
        if (isRecord(element) && (element.type === 'plain_text' || element.type === 'mrkdwn')) {
          checkTextObject(element, `${at}/elements/${i}`, 3000, ['plain_text', 'mrkdwn'], problems);
        }
      });
      return;
    case 'actions': {
      const actionIds = new Set<string>();
      checkArray(block.elements, `${at}/elements`, 1, 25, problems).forEach((element, i) => {
        checkElement(element, `${at}/elements/${i}`, problems);
        if (isRecord(element) && typeof element.action_id === 'string') {
          if (actionIds.has(element.action_id)) {
            problems.push(`duplicate action_id: ${element.action_id} [json-pointer:${at}/elements/${i}/action_id]`);
          }
          actionIds.add(element.action_id);
        }
      });
      return;
    }
    case 'markdown':
      if (typeof block.text !== 'string' || block.text.length === 0 || block.text.length > 12000) {
        problems.push(`must be a string of 1 to 12000 characters [json-pointer:${at}/text]`);
      }
      return;
    default:
      return;
  }
}

function checkElement(element: unknown, at: string, problems: string[]): void {
  if (!isRecord(element) || typeof element.type !== 'string') {
    problems.push(`missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (element.action_id !== undefined && (typeof element.action_id !== 'string' || element.action_id.length > 255)) {
    problems.push(`must be a string of at most 255 characters [json-pointer:${at}/action_id]`);
  }
  if (element.type === 'button') {
    checkTextObject(element.text, `${at}/text`, 75, ['plain_text'], problems);
    if (element.value !== undefined && (typeof element.value !== 'string' || element.value.length > 2000)) {
      problems.push(`must be a string of at most 2000 characters [json-pointer:${at}/value]`);
    }
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      problems.push(`must be one of primary, danger [json-pointer:${at}/style]`);
    }
  }
}

function checkTextObject(value: unknown, at: string, maxLength: number, types: string[], problems: string[]): void {
  if (!isRecord(value)) {
    problems.push(`must provide an object [json-pointer:${at}]`);
    return;
  }
  if (typeof value.type !== 'string' || !types.includes(value.type)) {
    problems.push(`must be one of ${types.join(', ')} [json-pointer:${at}/type]`);
  }
  if (typeof value.text !== 'string' || value.text.length === 0) {
    problems.push(`must be more than 0 characters [json-pointer:${at}/text]`);
  } else if (value.text.length > maxLength) {
    problems.push(`must be less than ${maxLength + 1} characters [json-pointer:${at}/text]`);
  }
}

function checkArray(value: unknown, at: string, min: number, max: number, problems: string[]): unknown[] {
  if (!Array.isArray(value)) {
    problems.push(`must provide an array [json-pointer:${at}]`);
    return [];
  }
  if (value.length < min) {
    problems.push(`must provide at least ${min} items [json-pointer:${at}]`);
  }
  if (value.length > max) {
    problems.push(`must be less than ${max + 1} items [json-pointer:${at}]`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
