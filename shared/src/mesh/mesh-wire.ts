import { WireReader } from '../codec/wire-reader';
import { uvarintSize, writeUvarint } from '../codec/wire-writer';

/**
 * Mesh control messages (proto/mesh.proto `MeshMessage` bodies 2..15) as plain objects, with a
 * small table-driven protobuf codec: every control body is a flat list of uint / bool / string
 * fields, so one encoder and one decoder serve them all. Signed frames (body 1, the hot path)
 * are never decoded into objects here: see `readSignedFrame` in shared/src/codec.
 *
 * Generated protobufjs types stay inside shared/src/codec (DESIGN.md house style 6), hence the
 * hand-rolled codec on the codec's wire primitives.
 */

/** Current mesh protocol version carried in MeshHello. */
export const MESH_PROTOCOL_VERSION = 1;

export type MeshControl =
  | { type: 'hello'; peerId: string; protocolVersion: number; mdPublicKey?: string }
  | { type: 'attach'; streamId: number; stripe: number; stripes: number }
  | { type: 'detach'; streamId: number; stripe: number }
  | { type: 'want'; streamId: number; epoch: number; fromSeq: number; toSeq: number }
  | { type: 'have'; streamId: number; epoch: number; fromSeq: number; toSeq: number }
  | { type: 'missing'; streamId: number; epoch: number; fromSeq: number; toSeq: number }
  | { type: 'ping'; nonce: number; timeUs: number }
  | { type: 'pong'; nonce: number; timeUs: number }
  | { type: 'goodbye'; code: string }
  | { type: 'join'; streamId: number }
  | { type: 'assign'; streamId: number; stripe: number; stripes: number; parentId: string }
  | { type: 'report'; streamId: number; stripe: number; peerId: string; code: string; rttUs: number; deliveryPermille: number }
  | { type: 'fallback'; streamId: number; active: boolean }
  | { type: 'leave'; streamId: number };

export type MeshControlType = MeshControl['type'];

/** 'u' = uint32/uint64 varint, 'b' = bool, 's' = string. */
type Kind = 'u' | 'b' | 's';
interface Schema {
  body: number;
  fields: ReadonlyArray<readonly [name: string, no: number, kind: Kind]>;
}

const RANGE: Schema['fields'] = [['streamId', 1, 'u'], ['epoch', 2, 'u'], ['fromSeq', 3, 'u'], ['toSeq', 4, 'u']];
const SCHEMAS: Record<MeshControlType, Schema> = {
  hello: { body: 2, fields: [['peerId', 1, 's'], ['protocolVersion', 2, 'u'], ['mdPublicKey', 3, 's']] },
  attach: { body: 3, fields: [['streamId', 1, 'u'], ['stripe', 2, 'u'], ['stripes', 3, 'u']] },
  detach: { body: 4, fields: [['streamId', 1, 'u'], ['stripe', 2, 'u']] },
  want: { body: 5, fields: RANGE },
  have: { body: 6, fields: RANGE },
  missing: { body: 7, fields: RANGE },
  ping: { body: 8, fields: [['nonce', 1, 'u'], ['timeUs', 2, 'u']] },
  pong: { body: 9, fields: [['nonce', 1, 'u'], ['timeUs', 2, 'u']] },
  goodbye: { body: 10, fields: [['code', 1, 's']] },
  join: { body: 11, fields: [['streamId', 1, 'u']] },
  assign: { body: 12, fields: [['streamId', 1, 'u'], ['stripe', 2, 'u'], ['stripes', 3, 'u'], ['parentId', 4, 's']] },
  report: {
    body: 13,
    fields: [['streamId', 1, 'u'], ['stripe', 2, 'u'], ['peerId', 3, 's'], ['code', 4, 's'], ['rttUs', 5, 'u'], ['deliveryPermille', 6, 'u']],
  },
  fallback: { body: 14, fields: [['streamId', 1, 'u'], ['active', 2, 'b']] },
  leave: { body: 15, fields: [['streamId', 1, 'u']] },
};
const BY_BODY: (MeshControlType | undefined)[] = [];
for (const [type, s] of Object.entries(SCHEMAS)) BY_BODY[s.body] = type as MeshControlType;

/** Body field number of a signed frame: a MeshMessage starting with 0x0a is a frame. */
export const MESH_FRAME_TAG = 0x0a;

/** Max characters of a peer id or code in a control message. */
export const MESH_MAX_ID_CHARS = 128;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

type Values = Record<string, string | number | boolean>;

/** Encodes one control message as a MeshMessage. Throws RangeError on an invalid number. */
export function encodeMeshControl(msg: MeshControl): Uint8Array {
  const schema = SCHEMAS[msg.type];
  const v = msg as unknown as Values;
  const strings: Uint8Array[] = [];
  let len = 0;
  for (const [name, , kind] of schema.fields) {
    const x = v[name];
    if (kind === 's') {
      // An optional string left out is sent as the empty string: not on the wire at all.
      const b = encoder.encode((x as string | undefined) ?? '');
      strings.push(b);
      if (b.length) len += 1 + uvarintSize(b.length) + b.length;
    } else {
      const n = kind === 'b' ? (x ? 1 : 0) : (x as number);
      if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`${msg.type}.${name}: ${n}`);
      if (n !== 0) len += 1 + uvarintSize(n);
    }
  }
  const out = new Uint8Array(1 + 1 + uvarintSize(len) + len);
  let p = writeUvarint(out, 0, (schema.body << 3) | 2);
  p = writeUvarint(out, p, len);
  let si = 0;
  for (const [name, no, kind] of schema.fields) {
    if (kind === 's') {
      const b = strings[si++]!;
      if (!b.length) continue;
      out[p++] = (no << 3) | 2;
      p = writeUvarint(out, p, b.length);
      out.set(b, p);
      p += b.length;
    } else {
      const x = v[name];
      const n = kind === 'b' ? (x ? 1 : 0) : (x as number);
      if (n === 0) continue;
      out[p++] = no << 3;
      p = writeUvarint(out, p, n);
    }
  }
  return p === out.length ? out : out.subarray(0, p);
}

/**
 * Decodes a MeshMessage control body; undefined when malformed, a frame, or an unknown body.
 * Unknown fields are skipped (forward compatibility); missing ones read as 0 / '' / false.
 */
export function decodeMeshControl(bytes: Uint8Array): MeshControl | undefined {
  try {
    const r = new WireReader(bytes, 0, bytes.length);
    const tag = r.tag();
    const type = (tag & 7) === 2 ? BY_BODY[tag >>> 3] : undefined;
    if (type === undefined) return undefined;
    const end = r.delimitedEnd();
    if (end !== bytes.length) return undefined;
    const schema = SCHEMAS[type];
    const out: Values = { type };
    for (const [name, , kind] of schema.fields) out[name] = kind === 's' ? '' : kind === 'b' ? false : 0;
    while (r.pos < end) {
      const t = r.tag();
      const no = t >>> 3;
      const f = schema.fields.find((x) => x[1] === no);
      if (!f) { r.skip(t & 7); continue; }
      const [name, , kind] = f;
      if (kind === 's') {
        if ((t & 7) !== 2) return undefined;
        const e = r.delimitedEnd();
        if (e - r.pos > MESH_MAX_ID_CHARS * 4) return undefined;
        const s = decoder.decode(bytes.subarray(r.pos, e));
        if (s.length > MESH_MAX_ID_CHARS) return undefined;
        out[name] = s;
        r.pos = e;
      } else {
        if ((t & 7) !== 0) return undefined;
        const n = r.uint64();
        if (!Number.isSafeInteger(n)) return undefined;
        out[name] = kind === 'b' ? n !== 0 : n;
      }
    }
    return out as unknown as MeshControl;
  } catch {
    return undefined;
  }
}
