export { AdmissionController, type AdmissionControllerOptions } from "./AdmissionController.ts";
export { RoomViewCache, type RoomViewCacheOptions } from "./RoomViewCache.ts";
export { admissionRate, queuePlace, shopperStatus } from "./status.ts";
export { shuffledPlace, roundKeys } from "./shuffle.ts";
export { WaitingRoom, type AdmitResult, type JoinResult, type TransitionResult, type WaitingRoomOptions } from "./WaitingRoom.ts";
export type * from "./types.ts";
