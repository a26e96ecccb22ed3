import { describe, expect, it } from 'vitest';
import { parseNodeList, parseNodeSpec } from '../src/nodes/node-address.js';

describe('node specs', () => {
  it.each([
    ['127.0.0.1:11211', { id: '127.0.0.1:11211', host: '127.0.0.1', port: 11211, weight: 1 }],
    ['cache-1.internal:6379:3', { id: 'cache-1.internal:6379', host: 'cache-1.internal', port: 6379, weight: 3 }],
    ['10.0.0.1:11211:2 alpha', { id: 'alpha', host: '10.0.0.1', port: 11211, weight: 2 }],
    ['[::1]:11211', { id: '[::1]:11211', host: '::1', port: 11211, weight: 1 }],
    [{ host: 'h', port: 1, weight: 0.5, name: 'n' }, { id: 'n', host: 'h', port: 1, weight: 0.5 }],
    [{ host: 'h', port: 2 }, { id: 'h:2', host: 'h', port: 2, weight: 1 }],
  ])('parses %j', (spec, expected) => {
    expect(parseNodeSpec(spec, 'nodes[0]')).toEqual(expected);
  });

  it.each([
    ['localhost', 'nodes[0]', /expected "host:port"/],
    ['h:0', 'nodes[0]', /port must be 1-65535, got 0/],
    ['h:70000', 'nodes[0]', /port must be 1-65535/],
    ['h:1:0', 'nodes[0]', /weight must be a positive number, got 0/],
    [{ host: '', port: 1 }, 'nodes[0].host', /expected a host/],
    [{ host: 'h', port: '1' }, 'nodes[0].port', /expected a number/],
    [{ host: 'h', port: 1, weight: -1 }, 'nodes[0]', /weight must be a positive number/],
    [42, 'nodes[0]', /got number/],
  ])('rejects %j naming %s', (spec, option, message) => {
    expect(() => parseNodeSpec(spec, 'nodes[0]')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option, message: expect.stringMatching(message) }));
  });

  it('rejects an empty list and duplicate ids', () => {
    expect(() => parseNodeList([])).toThrow(expect.objectContaining({ option: 'nodes', message: expect.stringMatching(/non-empty/) }));
    expect(() => parseNodeList(['a:1', 'b:1', 'a:1:2'])).toThrow(expect.objectContaining({ option: 'nodes[2]', message: expect.stringMatching(/duplicate node id "a:1"/) }));
  });
});
