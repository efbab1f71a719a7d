export { HoldEngine, decodeLines, type HoldEngineOptions } from "./HoldEngine.ts";
export { LIMITS } from "./validation.ts";
export type * from "./types.ts";
