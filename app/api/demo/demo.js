/* The demo store around the Holdfast widget: live stock, and a checkout that pays with the test
 * provider once the widget reports a hold. Loaded before the widget, so a hold restored after a
 * refresh reaches this page's listener. */
/* global document, window, fetch, setTimeout, clearTimeout, CSS */
(() => {
  const cfg = JSON.parse(document.getElementById("holdfast-demo").textContent);
  const $ = (selector, root = document) => root.querySelector(selector);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  let held = null;
  let stockTimer = 0;
  // The shopper's own hold, shown at once: until the (briefly cached) stock answer catches up,
  // an item never shows more left than it did minus what this shopper just reserved.
  const atMost = new Map();

  async function json(method, path, { body, token } = {}) {
    const headers = { "content-type": "application/json" };
    if (window.Holdfast) headers["x-holdfast-session"] = window.Holdfast.sessionId();
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(cfg.api + path, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  async function refreshStock() {
    clearTimeout(stockTimer);
    try {
      const { status, body } = await json("GET", `/sales/${cfg.sale}/stock`);
      if (status === 200) {
        for (const item of body.items) {
          const row = $(`[data-item="${CSS.escape(item.itemId)}"]`);
          if (!row) continue;
          const ceiling = atMost.get(item.itemId);
          if (ceiling !== undefined && item.available <= ceiling) atMost.delete(item.itemId);
          const shown = ceiling === undefined ? item.available : Math.min(item.available, ceiling);
          $("[data-stock]", row).textContent = String(shown);
          $("button", row).disabled = shown === 0;
        }
        $(".demo-soldout").hidden = !body.soldOut;
      }
    } catch {
      // Offline for a moment: the next refresh catches up.
    }
    stockTimer = setTimeout(refreshStock, 2000);
  }

  // The quantity picker feeds the widget through the button's data attribute.
  document.addEventListener("change", (event) => {
    const itemId = event.target.dataset && event.target.dataset.qtyFor;
    if (!itemId) return;
    $(`[data-holdfast-item="${CSS.escape(itemId)}"]`).dataset.holdfastQty = event.target.value;
  });

  document.addEventListener("holdfast:held", (event) => {
    event.preventDefault(); // the page takes over from the widget's overlay
    held = event.detail;
    const stock = $(`[data-item="${CSS.escape(held.itemId)}"] [data-stock]`);
    const before = stock ? Number(stock.textContent) : NaN;
    if (Number.isInteger(before)) {
      atMost.set(held.itemId, Math.max(0, before - held.quantity));
      stock.textContent = String(atMost.get(held.itemId));
    }
    const title = (cfg.items.find((item) => item.id === held.itemId) || { title: held.itemId }).title;
    const section = $(".demo-checkout");
    section.hidden = false;
    $("[data-held]", section).textContent =
      `Reserved for you: ${held.quantity} × ${title}${totalOf(held)}, until ${new Date(held.expiresAt).toLocaleTimeString()}.`;
    $("[data-order]", section).textContent = "";
    setButtons(true);
    $("#checkout-title").focus();
    refreshStock();
  });

  // What the test card will be charged: the item's price (minor units) times the quantity; nothing for an unpriced item.
  function totalOf(hold) {
    const item = cfg.items.find((entry) => entry.id === hold.itemId);
    if (!item || !item.price) return "";
    const format = new Intl.NumberFormat("en", { style: "currency", currency: item.price.currency });
    const decimals = format.resolvedOptions().maximumFractionDigits;
    return ` (${format.format((item.price.amountMinor * hold.quantity) / 10 ** decimals)})`;
  }

  function setButtons(enabled) {
    $(".demo-actions").hidden = false;
    $("[data-pay]").disabled = !enabled;
    $("[data-release]").disabled = !enabled;
  }

  function finish(message) {
    $("[data-order]").textContent = message;
    $(".demo-actions").hidden = true; // nothing left to do with this reservation
    $("[data-held]").textContent = "";
    window.Holdfast.done();
    atMost.delete(held.itemId); // released or bought: the server's count is the truth again
    held = null;
    refreshStock();
  }

  $("[data-pay]").addEventListener("click", async () => {
    if (!held) return;
    setButtons(false);
    const status = $("[data-order]");
    status.textContent = "Placing your order…";
    const answer = await json("POST", "/checkout", { body: { holdToken: held.token, payment: { method: "test" } } }).catch(() => null);
    if (!answer) {
      status.textContent = "Connection lost. Your reservation is kept; try again.";
      return setButtons(true);
    }
    if (answer.status === 404 && answer.body.error && answer.body.error.code === "not_found") {
      status.textContent = "Checkout isn't available on this server yet; your reservation is kept until it expires.";
      return void ($("[data-release]").disabled = false);
    }
    if (answer.status >= 300) {
      status.textContent = `The order was refused: ${answer.body.error ? answer.body.error.message : answer.status}`;
      return setButtons(true);
    }
    const { orderId } = answer.body;
    const token = answer.body.orderToken || held.token;
    status.textContent = `Order ${orderId}: ${answer.body.status}.`;
    for (let attempt = 0; attempt < 120; attempt++) {
      await sleep(1000);
      const order = await json("GET", `/orders/${encodeURIComponent(orderId)}`, { token }).catch(() => null);
      if (!order || order.status !== 200) continue;
      if (order.body.status === "placed") return finish(`Order ${orderId} is placed. Thank you!`);
      if (order.body.status === "failed") {
        const reason = order.body.error ? order.body.error.message : "the payment did not go through";
        return finish(`Order ${orderId} failed: ${reason}. Your reservation was released.`);
      }
      status.textContent = `Order ${orderId}: ${order.body.status}.`;
    }
    status.textContent = `Order ${orderId} is still being processed; check back later.`;
  });

  $("[data-release]").addEventListener("click", async () => {
    if (!held) return;
    setButtons(false);
    const answer = await json("DELETE", `/holds/${encodeURIComponent(held.holdId)}`, { token: held.token }).catch(() => null);
    if (answer && (answer.status === 204 || answer.status === 404)) finish("Your reservation was released.");
    else {
      $("[data-order]").textContent = "The reservation could not be released; try again.";
      setButtons(true);
    }
  });

  refreshStock();
})();
