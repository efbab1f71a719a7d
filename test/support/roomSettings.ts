import type { RoomSettings } from "../../app/core/waiting-room/index.ts";

/** A room admitting 600 shoppers a minute, no schedule: what most waiting-room tests start from. */
export const RATE_ROOM_SETTINGS: RoomSettings = {
  mode: "rate",
  perMinute: 600,
  maxActive: null,
  passMinutes: 5,
  holdMinutes: 10,
  storeId: null,
  prequeueAt: null,
  startsAt: null,
  endsAt: null,
};
