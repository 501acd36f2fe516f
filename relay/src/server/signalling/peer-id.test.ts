import { describe, expect, it } from 'vitest';
import { PeerIds } from './peer-id';

// The peerjs 1.5 client's own id check (util.validateId): ids must pass it or `new Peer(id)` aborts.
const peerjsValidId = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

describe('PeerIds', () => {
  it('issues ids the peerjs client accepts, owned by the account', () => {
    const ids = new PeerIds();
    for (const account of ['demo', 'john.smith', 'a-b_c.d']) {
      const id = ids.issue(account);
      expect(id).toMatch(peerjsValidId);
      expect(ids.check(id, account)).toBe('ok');
    }
    expect(ids.issue('demo')).not.toBe(ids.issue('demo'));
  });

  it('lets an account choose the suffix but not the tag', () => {
    const ids = new PeerIds();
    expect(ids.check(`${ids.tagOf('demo')}-tab1`, 'demo')).toBe('ok');
    expect(ids.check(`${ids.tagOf('demo')}-tab1`, 'demox')).toBe('foreign');
    // Prefix ambiguity of readable names cannot arise: `a` and `a.b` have unrelated tags.
    expect(ids.check(ids.issue('a.b'), 'a')).toBe('foreign');
  });

  it('refuses anything not of the form <tag>-<suffix>', () => {
    const ids = new PeerIds();
    const tag = ids.tagOf('demo');
    for (const bad of ['', 'demo.x', `${tag}`, `${tag}-`, `${tag}-a.b`, `${tag}-${'x'.repeat(65)}`, `${tag.toUpperCase()}-x`, `${tag}--x`]) {
      expect(ids.check(bad, 'demo')).toBe('invalid');
    }
  });

  it('gives the same tags for the same key (relays behind one load balancer)', () => {
    const key = new Uint8Array(32).fill(7);
    expect(new PeerIds(key).tagOf('demo')).toBe(new PeerIds(key).tagOf('demo'));
    expect(new PeerIds().tagOf('demo')).not.toBe(new PeerIds().tagOf('demo'));
  });
});
