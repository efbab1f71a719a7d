--[[
  Holds the carts of one or more requests for one sale, in order, each all or nothing, as if
  each request were its own call. Requests that reach one process together travel in one
  call (HoldEngine batches them), so the work every call has to do (reclaiming expired holds,
  reading the sale's limit, reading and writing the stock and customer counters, indexing
  the new holds) is done once per call instead of once per hold.
  Per request: its hold-request rate limit is counted first; a retry with the same request
  key returns the same hold (also a retry in the same call); then the sale, stock and the
  per-customer and per-address unit limits are checked.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9..]  each request's hold-request counter (this sale's slot), in request order
      ARGV[1] now (ms)
      ARGV[2] how many expired holds to reclaim at most (once per call, before any request)
      ARGV[3..] one record per request, 6 + 2 * lines values:
        hold id, customer, request key (already scoped to the customer by the caller),
        expires at (ms: now + the hold's time to live, added by the caller so no number is
        printed here), the request's terms, the number of lines, then item and quantity of
        each line (distinct items). The terms are '' (no request limit, no address) or
        "<allowed>:<window>:<address limit>:<address>" in one value (each value costs both
        sides a few hundred instructions): hold requests allowed per window (0: no limit, the
        counter is not touched), the window (ms), units one address may hold or have bought
        in this sale (0: no limit), the requester's client address ('' when unknown; counted
        under '@<address>' in the customers hash, so many sessions from one address share
        one allowance)
    Output: one reply per request, in request order, each one of
      'reserved'  (not in a list) a new hold, with the hold id and expiry the request sent:
                  the commonest reply is the cheapest to build and to send
      { 'rate_limited', ms until the window closes }  nothing else was done for it
      { 'reserved', holdId, expiresAt, 1 }  a replay: the hold an earlier request made
      { 'sold_out', item, available }
      { 'limit_exceeded', limit, units already held or bought }
      { 'address_limit_exceeded', limit, units the address already holds or bought }
      { 'not_found', item or '' for an unknown sale }
      { 'duplicate', holdId }  the request already made a hold that has ended since
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"
--- @include "includes/counterCache"
--- @include "includes/holdRecord"
--- @include "../../rate-limit/lua/includes/countHit"

-- Cost notes: this is the hot path of a drop, and most of its time is Lua, not Redis
-- commands. Requests are read from ARGV in place (no table per request); numbers that only
-- pass through (expiry, quantities, now) stay the text they arrived as, because Redis's Lua
-- prints a number with printf("%.14g") and parses one with strtod, each costing more than
-- the rest of the request's bookkeeping; and each item's counter field names are built once.
local nowText = ARGV[1]
local now = tonumber(nowText)
reclaimExpired(nowText, ARGV[2])

-- Where each request's record starts in ARGV, and where its last line starts; fields by
-- offset: 0 hold id, 1 customer, 2 request key, 3 expires at, 4 terms, 5 line count,
-- 6.. item and quantity of each line. Requests with terms get them read into `terms`.
local FIRST_LINE = 6
local starts, lastLines, terms = {}, {}, {}
do
  local at = 3
  while at <= #ARGV do
    local index = #starts + 1
    starts[index] = at
    lastLines[index] = at + FIRST_LINE - 2 + 2 * tonumber(ARGV[at + 5])
    local text = ARGV[at + 4]
    if text ~= '' then
      local allowed, window, addressLimit, address = string.match(text, '^(%d+):(%d+):(%d+):(.*)$')
      terms[index] = {
        allowed = tonumber(allowed), window = window, addressLimit = tonumber(addressLimit),
        addressField = address ~= '' and ('@' .. address) or nil,
      }
    end
    at = lastLines[index] + 2
  end
end
-- Line quantities as numbers, by their ARGV index: parsed once per line (one table per call).
local quantities = {}

local itemFields = {}
local function fieldsOf(item)
  local fields = itemFields[item]
  if not fields then
    fields = { item .. ':avail', item .. ':held' }
    itemFields[item] = fields
  end
  return fields
end

local stock, counts = counterCache(stockKey), counterCache(customersKey)
-- One read each for the stock and customer counters every request may touch.
do
  local stockFields, customerFields = {}, {}
  for index, at in ipairs(starts) do
    for i = at + FIRST_LINE, lastLines[index], 2 do
      local fields = fieldsOf(ARGV[i])
      stockFields[#stockFields + 1] = fields[1]
      stockFields[#stockFields + 1] = fields[2]
    end
    customerFields[#customerFields + 1] = ARGV[at + 1]
    local addressField = terms[index] and terms[index].addressField
    if addressField then customerFields[#customerFields + 1] = addressField end
  end
  stock.load(stockFields)
  counts.load(customerFields)
end

-- Earlier holds of these requests' keys, read in one round (retries are rare: mostly nil).
local previousIds = {}
do
  local requestKeys = {}
  for index, at in ipairs(starts) do requestKeys[index] = ARGV[at + 2] end
  if #requestKeys > 0 then previousIds = redis.call('HMGET', requestsKey, unpack(requestKeys)) end
end

local saleLimit = redis.call('HGET', metaKey, 'limit')
saleLimit = saleLimit and tonumber(saleLimit)
-- Holds made by this call: the request (its ARGV start) that made each request key's hold,
-- and the entries for the holds and request indexes, written at the end, with one expiry
-- reminder per distinct end (see endHold.lua): the hold ids ending then, by end.
local made, newHolds, newRequests = {}, {}, {}
local endings, dueIds = {}, {}
-- Their ledger records, written as one stream entry (appendLedgerBatch) when the call ends,
-- or before another entry, so the stream keeps the order in which things happened.
local ledgerHolds, ledgerCustomers, ledgerLines = {}, {}, {}
local function flushLedger()
  appendLedgerBatch('reserve', nowText, ledgerHolds, ledgerCustomers, ledgerLines)
  ledgerHolds, ledgerCustomers, ledgerLines = {}, {}, {}
end

local function reserveOne(index, at)
  local own = terms[index]
  if own and own.allowed > 0 then
    local count, windowLeft = countHit(KEYS[8 + index], own.window, own.allowed)
    if count > own.allowed then return { 'rate_limited', windowLeft } end
  end

  local requestKey = ARGV[at + 2]
  local earlier = made[requestKey]
  if earlier then return { 'reserved', ARGV[earlier], ARGV[earlier + 3], 1 } end
  local previousId = previousIds[index]
  if previousId then
    local raw = redis.call('HGET', holdsKey, previousId)
    if not raw then return { 'duplicate', previousId } end
    local previous = decodeHold(raw)
    if previous.e <= now then
      -- endHold changes the counters in Redis directly and appends to the ledger: write ours
      -- first, read them anew after.
      stock.flush()
      counts.flush()
      flushLedger()
      endHold(previousId, previous, 'expire', nowText)
      return { 'duplicate', previousId }
    end
    return { 'reserved', previousId, previous.e, 1 }
  end

  if not saleLimit then return { 'not_found', '' } end

  local lastLine = lastLines[index]
  local units = 0
  for i = at + FIRST_LINE, lastLine, 2 do
    local item, quantity = ARGV[i], tonumber(ARGV[i + 1])
    local available = stock.get(fieldsOf(item)[1])
    if not available then return { 'not_found', item } end
    if available < quantity then return { 'sold_out', item, available } end
    quantities[i] = quantity
    units = units + quantity
  end
  local customer = ARGV[at + 1]
  if saleLimit > 0 then
    local counted = counts.get(customer) or 0
    if counted + units > saleLimit then return { 'limit_exceeded', saleLimit, counted } end
  end
  local addressField = own and own.addressField
  if addressField and own.addressLimit > 0 then
    local counted = counts.get(addressField) or 0
    if counted + units > own.addressLimit then return { 'address_limit_exceeded', own.addressLimit, counted } end
  end

  for i = at + FIRST_LINE, lastLine, 2 do
    local quantity = quantities[i]
    local fields = fieldsOf(ARGV[i])
    stock.add(fields[1], -quantity)
    stock.add(fields[2], quantity)
  end
  counts.add(customer, units)
  if addressField then counts.add(addressField, units) end
  -- The lines as text (see lineText.lua), from the text they came as; most carts have one line.
  local linesText = ARGV[at + FIRST_LINE] .. ':' .. ARGV[at + FIRST_LINE + 1]
  if lastLine > at + FIRST_LINE then
    local lineTexts = { linesText }
    for i = at + FIRST_LINE + 2, lastLine, 2 do lineTexts[#lineTexts + 1] = ARGV[i] .. ':' .. ARGV[i + 1] end
    linesText = table.concat(lineTexts, ',')
  end
  local holdId, expiresAt = ARGV[at], ARGV[at + 3]
  made[requestKey] = at
  newHolds[#newHolds + 1] = holdId
  newHolds[#newHolds + 1] = holdRecordText(expiresAt, customer, addressField, linesText)
  local ids = dueIds[expiresAt]
  if not ids then
    ids = {}
    dueIds[expiresAt] = ids
    endings[#endings + 1] = expiresAt
  end
  ids[#ids + 1] = holdId
  newRequests[#newRequests + 1] = requestKey
  newRequests[#newRequests + 1] = holdId
  ledgerHolds[#ledgerHolds + 1] = holdId
  ledgerCustomers[#ledgerCustomers + 1] = customer
  ledgerLines[#ledgerLines + 1] = linesText
  return 'reserved'
end

local replies = {}
for index, at in ipairs(starts) do replies[index] = reserveOne(index, at) end

stock.flush()
counts.flush()
flushLedger()
if #newHolds > 0 then
  redis.call('HSET', holdsKey, unpack(newHolds))
  local reminders = {}
  for _, expiresAt in ipairs(endings) do
    reminders[#reminders + 1] = expiresAt
    reminders[#reminders + 1] = table.concat(dueIds[expiresAt], ',')
  end
  redis.call('ZADD', expiryKey, unpack(reminders))
  redis.call('HSET', requestsKey, unpack(newRequests))
end
return replies
