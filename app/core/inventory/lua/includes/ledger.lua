--- @include "lineText"

-- Appends one change to the sale's ledger stream. Trimming is left to the consumer that
-- persists the stream, so an event is never dropped before it reaches SQL.
-- `linesText` is the lines already encoded (see lineText.lua).
local function appendLedgerText(eventType, now, holdId, orderRef, customer, linesText)
  redis.call('XADD', ledgerKey, '*', 't', eventType, 'at', now, 'h', holdId, 'o', orderRef,
    'c', customer, 'l', linesText)
end

local function appendLedger(eventType, now, holdId, orderRef, customer, lines)
  appendLedgerText(eventType, now, holdId, orderRef, customer, encodeLines(lines))
end

-- Appends the changes of one type that one call made to many holds as ONE stream entry (one
-- XADD instead of one per hold): h, c and l list one record per hold, in order, joined by
-- "\n", and n says how many there are (core/ledger/ledgerEntries.ts reads them back as one
-- event per hold). No hold id, customer reference or item id can hold a control character
-- (HoldEngine checks them). `lineTexts` are each hold's lines already in the
-- "item:qty,item:qty" form. A single change is written exactly as appendLedger writes it.
local function appendLedgerBatch(eventType, now, holdIds, customers, lineTexts)
  local count = #holdIds
  if count == 0 then return end
  if count == 1 then return appendLedgerText(eventType, now, holdIds[1], '', customers[1], lineTexts[1]) end
  redis.call('XADD', ledgerKey, '*', 't', eventType, 'at', now, 'h', table.concat(holdIds, '\n'), 'o', '',
    'c', table.concat(customers, '\n'), 'l', table.concat(lineTexts, '\n'), 'n', count)
end
