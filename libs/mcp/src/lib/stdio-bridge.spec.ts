import { BridgeUsageError, parseBridgeArgs } from './stdio-bridge';

describe('the stdio bridge command line', () => {
  it('names the MCP endpoint of an API address, and keeps an endpoint as given', () => {
    expect(parseBridgeArgs(['--url', 'http://localhost:3000', '--key', 'k']).endpoint.href).toBe(
      'http://localhost:3000/mcp',
    );
    expect(
      parseBridgeArgs(['--url', 'https://hub.example/base/', '--key', 'k']).endpoint.href,
    ).toBe('https://hub.example/base/mcp');
    expect(parseBridgeArgs(['--url', 'https://hub.example/mcp', '--key', 'k']).endpoint.href).toBe(
      'https://hub.example/mcp',
    );
  });

  it('falls back to AGENTHUB_URL and AGENTHUB_API_KEY; the flags win', () => {
    const env = { AGENTHUB_URL: 'http://a:1', AGENTHUB_API_KEY: 'from-env' };
    expect(parseBridgeArgs([], env)).toMatchObject({ key: 'from-env' });
    expect(parseBridgeArgs(['--key', 'flag'], env)).toMatchObject({ key: 'flag' });
  });

  it.each([
    [[], '--url is required'],
    [['--url', 'http://a:1'], '--key is required'],
    [['--url', 'not a url', '--key', 'k'], 'is not a URL'],
    [['--url', 'ftp://a', '--key', 'k'], 'must be http or https'],
    [['--url', 'http://a:1', '--key', 'k', '--verbose'], "Unknown option '--verbose'"],
    [['--url', 'http://a:1', '--key', 'k', 'extra'], 'extra'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseBridgeArgs(argv)).toThrow(BridgeUsageError);
    expect(() => parseBridgeArgs(argv)).toThrow(message);
  });
});
