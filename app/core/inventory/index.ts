export { HoldEngine, decodeLines, inventoryScriptKeys, type HoldEngineOptions, type HoldEvent, type HoldObserver } from "./HoldEngine.ts";
export { LIMITS } from "./validation.ts";
export type * from "./types.ts";
