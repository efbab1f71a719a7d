export { AdmissionController, type AdmissionControllerOptions } from "./AdmissionController.ts";
export { JOIN_BATCH_DEFAULTS, JOIN_MAX_WAIT_VARIABLE, joinBatchOptionsFromEnv, type JoinBatchOptions } from "./joinBatching.ts";
export { RoomViewCache, type RoomViewCacheOptions } from "./RoomViewCache.ts";
export { admissionRate, queuePlace, shopperStatus } from "./status.ts";
export { shuffledPlace, roundKeys } from "./shuffle.ts";
export { WaitingRoom, type AdmitResult, type JoinResult, type TransitionResult, type WaitingRoomOptions } from "./WaitingRoom.ts";
export type * from "./types.ts";
