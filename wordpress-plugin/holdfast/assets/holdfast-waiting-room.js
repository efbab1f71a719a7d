/* Holdfast waiting room (Shopify, WordPress, demo); see extensions/README.md */
/* global window, document, localStorage, fetch, setTimeout, clearTimeout, crypto, CustomEvent */
(() => {
const D = document, el = D.getElementById("holdfast-config");
if (!el || window.Holdfast) return;
const cfg = JSON.parse(el.textContent || "{}");
const S = cfg.strings || {};
// Shopify lists every drop; elsewhere one sale. ref -> [item, sale, fail policy]
const drops = cfg.drops || [{ sale: cfg.sale, items: cfg.items, fail: cfg.fail }];
const items = {};
for (const d of drops) for (const r in d.items) items[r] = [d.items[r], d.sale, d.fail];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = () => Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => (b | 256).toString(16).slice(1)).join("");
const t = (k, v) => (S[k] || k).replace(/\{(\w+)\}/g, (_, n) => (v && v[n] != null ? v[n] : ""));
const L = localStorage, P = "holdfast:";
const load = (s) => { try { return JSON.parse(L.getItem(P + s)) } catch { return null } };
const save = () => L.setItem(P + flow.sale, JSON.stringify(flow));
let sid = L.getItem(P + "sid");
if (!sid) L.setItem(P + "sid", (sid = rand()));
// Only a listed drop resumes (an ended one left the list).
let flow = null, ui = null, timer = 0, run = 0, opener = null, src = null;
for (const d of drops) flow ||= load(d.sale);

// Retried until answered (429: Retry-After, else backoff); fail-open buys without the room
// after 3 failures. Shopify's proxy may strip headers.
async function call(method, path, body, headers) {
  if (cfg.platform == "shopify") path += "?hf_session=" + sid + (headers ? "&hf_token=" + headers.authorization.slice(7) : "");
  for (let n = 0, id = run; id === run; n++) {
    let res = null;
    try {
      res = await fetch(cfg.api + path, { method, credentials: "include", headers: { "content-type": "application/json", "x-holdfast-session": sid, ...headers }, body: body && JSON.stringify(body) });
    } catch { /* offline */ }
    if (res?.status < 500 && res.status !== 429) {
      // A proxy's HTML error page reads as {}.
      return { status: res.status, body: await res.json().catch(() => ({})) };
    }
    if (id !== run) break;
    if (n > 1 && flow.fail == "open") { const f = src; close(); forget(); f?.submit(); return null; }
    const ra = Number(res?.headers.get("retry-after")) || 0;
    const wait = res?.status === 429 ? Math.max(1, ra || 5) : Math.max(ra, Math.min(30, 2 ** n) * (0.75 + Math.random() / 2));
    say(res ? (res.status === 429 ? "busy" : "unavailable") : "offline", { seconds: Math.ceil(wait) });
    await sleep(wait * 1000);
  }
  return null;
}

function overlay() {
  if (ui) return ui;
  const root = D.createElement("div");
  root.className = "hf-overlay";
  root.innerHTML = '<div class="hf-dialog" role="dialog" aria-modal="true" aria-labelledby="hf-title" aria-describedby="hf-msg"><h2 id="hf-title"></h2><p id="hf-msg" role="status" aria-live="polite" aria-atomic="true"></p><p class="hf-detail" aria-live="polite"></p><div class="hf-actions"><button type="button" class="hf-again" hidden></button><button type="button" class="hf-close"></button></div></div>';
  const $ = (s) => root.querySelector(s);
  ui = { root, msg: $("#hf-msg"), detail: $(".hf-detail"), again: $(".hf-again"), close: $(".hf-close") };
  $("#hf-title").textContent = cfg.heading || t("title");
  ui.again.textContent = t("join_again");
  ui.close.textContent = t("close");
  ui.close.setAttribute("aria-label", t("close_label"));
  ui.close.onclick = close;
  ui.again.onclick = () => { flow.ticket = null; start(); };
  root.onkeydown = (e) => {
    if (e.key === "Escape") close();
    if (e.key !== "Tab") return;
    const f = [...root.querySelectorAll("button:not([hidden])")], first = f[0], last = f[f.length - 1];
    if (e.shiftKey ? D.activeElement === first : D.activeElement === last) { e.preventDefault(); (e.shiftKey ? last : first).focus(); }
  };
  return ui;
}

function open() {
  const u = overlay();
  if (!u.root.isConnected) { opener = D.activeElement; D.body.append(u.root); u.close.focus(); }
}

// Closing keeps the place (the ticket stays stored): a later click resumes.
function close() {
  run++; clearTimeout(timer);
  ui?.root.remove();
  opener?.focus?.();
}

function say(k, v, detail, again) {
  open();
  ui.msg.textContent = t(k, v);
  ui.detail.textContent = detail ? t(detail, v) : "";
  ui.again.hidden = !again;
  ui.root.dataset.state = k;
}

// "<key>_<n>", else "<key>_<Intl.PluralRules category of the page's lang>", else "<key>_other".
let R; try { R = new Intl.PluralRules(D.documentElement.lang) } catch { R = new Intl.PluralRules() }
const pk = (k, c) => [k + "_" + c, k + "_" + R.select(c)].find((x) => S[x]) || k + "_other";
const eta = (s) => s == null ? t("eta_unknown") : s < 60 ? t(pk("eta_seconds", s), { n: s }) : t(pk("eta_minutes", s = Math.ceil(s / 60)), { n: s });
const err = (r) => r.body.error || {};
const forget = () => { if (flow) L.removeItem(P + flow.sale); flow = null; };

async function start() {
  const id = ++run;
  clearTimeout(timer);
  say("joining");
  if (!flow.ticket) {
    const r = await call("POST", `/sales/${flow.sale}/tickets`);
    if (!r || id !== run) return;
    if (r.status !== 201) return refuse(r);
    flow.ticket = r.body.ticket;
    save();
    return show(r.body, id);
  }
  poll(id);
}

async function poll(id) {
  const r = await call("GET", `/sales/${flow.sale}/status`, null, { authorization: "Bearer " + flow.ticket });
  if (!r || id !== run) return;
  if (r.status === 200) return show(r.body, id);
  const code = err(r).code;
  if (r.status === 401 || /^ticket_/.test(code)) { flow.ticket = null; save(); return start(); }
  refuse(r);
}

function show(s, id) {
  const v = { ...s, eta: eta(s.etaSeconds) };
  if (s.state === "admitted" && (s.pass || !s.passRequired)) return hold(s.pass, id);
  if (s.state === "ended") { forget(); return say("ended"); }
  if (s.state === "expired") return say("expired", v, null, true);
  if (s.state === "soldout") say("soldout", v, "soldout_next");
  else if (s.state === "prequeue") say("prequeue", v, s.etaSeconds == null ? null : "starts_in");
  else say(s.paused ? "paused" : "waiting", v, s.ahead == null ? null : pk("ahead", s.ahead));
  // Never poll faster than the server asks.
  if (s.refreshAfter) timer = setTimeout(() => poll(id), Math.max(1, s.refreshAfter) * 1000);
}

async function hold(pass, id) {
  say("holding");
  flow.requestId ||= rand();
  save();
  // The pass rides in the body (proxies may drop headers).
  const r = await call("POST", `/sales/${flow.sale}/holds`, { lines: [{ itemId: flow.item, quantity: flow.qty }], requestId: flow.requestId, pass });
  if (!r || id !== run) return;
  if (r.status === 201) { flow.hold = r.body; save(); return proceed(); }
  const code = err(r).code;
  if (/^pass_(required|invalid)$/.test(code)) return poll(id);
  refuse(r);
}

// An error -> what to do next; the ticket stays unless useless.
function refuse(r) {
  const code = err(r).code || "error";
  flow.requestId = null;
  if (/^sale_(ended|not_found)$/.test(code)) forget(); else save();
  if (code === "sale_not_open") { const id = run; timer = setTimeout(() => id === run && start(), 15000); }
  say(S["error_" + code] ? "error_" + code : "error", { message: err(r).message }, null, /used$/.test(code));
}

async function proceed() {
  const h = flow.hold;
  if (cfg.platform === "shopify") {
    say("adding");
    const root = cfg.root || "/";
    const res = await fetch(root + "cart/add.js", { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ items: [{ id: Number(flow.ref) || flow.ref, quantity: flow.qty, properties: { _holdfast_hold: h.holdId, _holdfast_token: h.token } }] }) }).catch(() => null);
    if (!res?.ok) return say("error_cart");
    const buyNow = flow.buyNow;
    forget();
    window.location.href = root + (buyNow ? "checkout" : "cart");
    return;
  }
  const ev = new CustomEvent("holdfast:held", { cancelable: true, detail: { saleId: flow.sale, itemId: flow.item, quantity: flow.qty, ...h } });
  if (!D.dispatchEvent(ev)) return close();
  say("held", { time: new Date(h.expiresAt).toLocaleTimeString() });
  if (cfg.checkoutUrl) window.location.href = cfg.checkoutUrl + (cfg.checkoutUrl.includes("?") ? "&" : "?") + "hold=" + encodeURIComponent(h.holdId);
}

function begin([[item, sale, fail], qty, ref, form], buyNow) {
  // A click resumes the stored place; the requestId is kept only to retry the same hold.
  if (flow && flow.sale !== sale) flow = load(sale);
  const same = !flow?.hold && flow?.item === item && flow.qty === qty;
  src = form;
  flow = { sale, fail, ticket: flow?.ticket, requestId: same ? flow.requestId : null, item, qty, ref, buyNow };
  save();
  start();
}

function fromForm(form) {
  const f = form?.elements;
  if (!f) return null;
  const ref = (f.id || f.variation_id || f["add-to-cart"] || {}).value;
  const item = ref && items[ref];
  return item ? [item, Math.max(1, parseInt(f.quantity?.value, 10) || 1), ref, form] : null;
}

const stop = (e, hit, buyNow) => { e.preventDefault(); e.stopImmediatePropagation(); begin(hit, buyNow); };

D.addEventListener("click", (e) => {
  const b = e.target.closest?.("[data-holdfast-item], .shopify-payment-button");
  if (!b) return;
  const i = b.dataset.holdfastItem;
  const hit = i ? [Object.values(items).find((x) => x[0] === i) || [i, cfg.sale, cfg.fail], Number(b.dataset.holdfastQty) || 1, i] : fromForm(b.closest("form"));
  if (hit) stop(e, hit, !i);
}, true);

D.addEventListener("submit", (e) => {
  const hit = fromForm(e.target);
  if (hit) stop(e, hit, false);
}, true);

window.Holdfast = { close, done: forget, sessionId: () => sid, pluralKey: pk };
// A refresh or a new tab resumes a stored flow at once.
if (flow?.hold && Date.parse(flow.hold.expiresAt) > Date.now()) proceed();
else if (flow?.ticket && flow.item) start();
})();
