export { CallBatcher, type CallBatcherOptions } from "./CallBatcher.ts";
