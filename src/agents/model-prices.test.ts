import { estimateCostUsd } from './model-prices';

const million = {
  input_tokens: 1_000_000,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

describe('estimateCostUsd', () => {
  it('prices Sonnet input at $3 and output at $15 per million tokens', () => {
    expect(estimateCostUsd('claude-sonnet-4-6', million)).toBeCloseTo(3);
    expect(estimateCostUsd('claude-sonnet-4-6', { ...million, input_tokens: 0, output_tokens: 1_000_000 })).toBeCloseTo(
      15,
    );
  });

  it('prices cache writes at 1.25 times and cache reads at 0.1 times the input price', () => {
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1_000_000,
      cache_read_input_tokens: 1_000_000,
    };
    expect(estimateCostUsd('claude-sonnet-4-6', usage)).toBeCloseTo(3.75 + 0.3);
  });

  it('tells the model families apart and prices an unknown model as Sonnet', () => {
    expect(estimateCostUsd('claude-opus-4-6', million)).toBeCloseTo(5);
    expect(estimateCostUsd('claude-opus-4-1', million)).toBeCloseTo(15);
    expect(estimateCostUsd('claude-haiku-4-5', million)).toBeCloseTo(1);
    expect(estimateCostUsd('claude-3-5-haiku-latest', million)).toBeCloseTo(0.8);
    expect(estimateCostUsd('some-gateway-model', million)).toBeCloseTo(3);
  });
});
