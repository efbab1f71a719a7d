export { HoldEngine, inventoryScriptKeys, type HoldEngineOptions, type HoldEvent, type HoldObserver } from "./HoldEngine.ts";
export { decodeLines, encodeLines } from "./lineText.ts";
export { LIMITS } from "./validation.ts";
export type * from "./types.ts";
