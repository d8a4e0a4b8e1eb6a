/**
 * The names of a generated enum's values, as this package uses them: the
 * values without the `UNSPECIFIED` placeholder that buf lint requires, and
 * their `SCREAMING_SNAKE` names in the other cases JavaScript needs.
 *
 * @module
 * @internal
 */
import type { DescEnum, DescEnumValue } from "@bufbuild/protobuf";

/** The placeholder a zero value is named when zero means nothing (`OP_UNSPECIFIED`). */
const placeholder = "UNSPECIFIED";

/** True for an enum's `UNSPECIFIED` placeholder (not for a zero that means something, as `SUCCESS`). */
export function isPlaceholder(value: DescEnumValue): boolean {
  return value.localName === placeholder;
}

/** The values of `desc` that mean something: all but its `UNSPECIFIED` placeholder. */
export function namedValues(desc: DescEnum): DescEnumValue[] {
  return desc.values.filter((v) => !isPlaceholder(v));
}

/** `"NOT_FOUND"` → `"NotFound"`. */
export function pascalCase(screamingSnake: string): string {
  return screamingSnake.toLowerCase().replace(/(?:^|_)([a-z0-9])/g, (_match, c: string) => c.toUpperCase());
}

/** `"ON_WEBRTC_CONNECTED"` without `"ON_"` → `"webrtcConnected"`. */
export function camelCase(screamingSnake: string, withoutPrefix = ""): string {
  const pascal = pascalCase(
    screamingSnake.startsWith(withoutPrefix) ? screamingSnake.slice(withoutPrefix.length) : screamingSnake,
  );
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
