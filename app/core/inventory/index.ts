export { HoldEngine, decodeLines, type HoldEngineOptions, type HoldEvent, type HoldObserver } from "./HoldEngine.ts";
export { LIMITS } from "./validation.ts";
export type * from "./types.ts";
