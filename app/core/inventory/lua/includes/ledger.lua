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
