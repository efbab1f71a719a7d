export { HoldEngine, inventoryScriptKeys, type HoldEngineOptions, type HoldEvent, type HoldObserver } from "./HoldEngine.ts";
export { decodeLines, encodeLines } from "./lineCodec.ts";
export { LIMITS } from "./validation.ts";
export type * from "./types.ts";
