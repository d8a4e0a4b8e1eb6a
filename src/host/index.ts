/**
 * `@actr/dynclib-abi/host`: load a DynClib guest (a native shared library
 * holding one actor) and drive it from Node: `loadGuest`, then `handle`,
 * `lifecycle`, `hook`, `dataStream`, with every `invoke` of the guest
 * answered by the host's handler, and every buffer freed as the contract
 * says. Needs the optional peer dependency koffi (3.x).
 *
 * @module
 */
import "./koffi.js"; // fails first, with what to install, when koffi is missing
export type { HostErrorListener, HostHandler } from "./answer.js";
export type { BridgeTokenEvent, BridgeTokenListener } from "./bridge-tokens.js";
export type { CloseOptions, Guest } from "./guest.js";
export type { InvokeOrigin } from "./invoke-scope.js";
export { loadGuest, type LoadGuestOptions } from "./load.js";
