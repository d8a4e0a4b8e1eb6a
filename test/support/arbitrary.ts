// fast-check arbitraries for any ABI message, driven by its schema: every
// field kind, extremes of each integer type, multi-byte strings, empty and
// large bytes, every oneof case, explicit fields set (to zero too) or unset.
import { create, type DescField, type DescMessage, type Message, ScalarType } from "@bufbuild/protobuf";
import fc from "fast-check";

const EXPLICIT = 1;
const LEGACY_REQUIRED = 3;

const text = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom("é", "日本", "🦀", "\uFEFF", "a\u0000b"),
);

function scalar(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.UINT32:
      return fc.oneof(fc.constantFrom(0, 1, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
    case ScalarType.INT32:
      return fc.oneof(
        fc.constantFrom(0, -1, -2147483648, 2147483647),
        fc.integer({ min: -2147483648, max: 2147483647 }),
      );
    case ScalarType.UINT64:
      return fc.oneof(fc.constantFrom(0n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    case ScalarType.INT64:
      return fc.oneof(
        fc.constantFrom(0n, -(2n ** 63n), 2n ** 63n - 1n),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      );
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return fc.oneof(
        { weight: 30, arbitrary: fc.uint8Array({ maxLength: 40 }) },
        { weight: 1, arbitrary: fc.constant(new Uint8Array(70_000).fill(0xa5)) },
      );
    default:
      throw new Error(`no arbitrary for scalar type ${type}`);
  }
}

function fieldValue(field: DescField, depth: number): fc.Arbitrary<unknown> {
  switch (field.fieldKind) {
    case "scalar":
      return scalar(field.scalar);
    case "enum":
      return scalar(ScalarType.INT32);
    case "message":
      return messageArbitrary(field.message, depth + 1);
    case "list":
      if (field.listKind !== "message") throw new Error(`no arbitrary for ${field.toString()}`);
      return fc.array(messageArbitrary(field.message, depth + 1), { maxLength: 3 });
    default:
      throw new Error(`no arbitrary for ${field.toString()}`);
  }
}

/** Random valid messages of `desc`: required fields always set, explicit ones sometimes. */
export function messageArbitrary(desc: DescMessage, depth = 0): fc.Arbitrary<Message> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const value = fieldValue(field, depth);
    parts[field.localName] =
      field.presence === EXPLICIT && field.fieldKind !== "list" ? fc.option(value, { nil: undefined }) : value;
    if (field.presence === LEGACY_REQUIRED) parts[field.localName] = value;
  }
  for (const oneof of desc.oneofs) {
    parts[oneof.localName] = fc.oneof(
      fc.constant({ case: undefined }),
      ...oneof.fields.map((f) => fieldValue(f, depth).map((value) => ({ case: f.localName, value }))),
    );
  }
  return fc.record(parts).map((init) => {
    const defined = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
    return create(desc, defined as never) as Message;
  });
}

/** Ways to damage an encoding: flip a bit, cut, insert, delete, duplicate. */
export function damaged(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(bytes, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: 1, maxLength: 6 }))
    .map(([b, i, j, how, extra]) => {
      const n = b.length;
      const at = n === 0 ? 0 : i % n;
      const to = n === 0 ? 0 : at + (j % (n - at));
      switch (how) {
        case 0: {
          const out = b.slice();
          if (n > 0) out[at]! ^= 1 << (j % 8);
          return out;
        }
        case 1:
          return b.slice(0, at);
        case 2:
          return concat(b.subarray(0, at), extra, b.subarray(at));
        case 3:
          return concat(b.subarray(0, at), b.subarray(to + 1));
        default:
          return concat(b.subarray(0, to), b.subarray(at, to), b.subarray(to));
      }
    });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
