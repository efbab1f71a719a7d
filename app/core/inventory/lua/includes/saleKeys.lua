--[[
  Every inventory command receives the same eight keys, all under the sale's hash tag
  `{s:<saleId>}` so the scripts stay valid on Redis Cluster:
    KEYS[1] meta       hash   limit (per-customer unit limit, 0 = none)
    KEYS[2] stock      hash   <item>:alloc, <item>:avail, <item>:held, <item>:sold
    KEYS[3] holds      hash   holdId -> record of the hold (see includes/holdRecord.lua)
    KEYS[4] expiry     zset   reminders: hold ids joined by ',', scored by when they end (ms; see endHold.lua)
    KEYS[5] customers  hash   customer -> units held + bought in this sale
    KEYS[6] requests   hash   customer-scoped request key -> holdId (reserve idempotency)
    KEYS[7] orders     hash   order reference -> holdId, or "take" (commit/take idempotency)
    KEYS[8] ledger     stream one entry per change (one per reserve call for all its holds: includes/ledger.lua)
]]
local metaKey, stockKey, holdsKey, expiryKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local customersKey, requestsKey, ordersKey, ledgerKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
