/* Holdfast on WooCommerce: when the waiting room holds an item, add it to the cart with its
   hold token through WooCommerce's own add-to-cart form handling, then go to the cart. */
/* global document, window */
(() => {
  document.addEventListener("holdfast:held", (e) => {
    const el = document.getElementById("holdfast-config");
    if (!el) return;
    const cfg = JSON.parse(el.textContent || "{}");
    const d = e.detail || {};
    const ref = Object.keys(cfg.items || {}).find((k) => cfg.items[k] === d.itemId);
    if (!ref || !d.token) return;
    e.preventDefault();
    const form = document.createElement("form");
    form.method = "post";
    form.action = cfg.addUrl || window.location.href;
    const fields = { "add-to-cart": ref, quantity: String(d.quantity || 1), holdfast_token: d.token };
    const parent = document.querySelector("[name=product_id]");
    if (parent && parent.value !== ref) { fields["add-to-cart"] = parent.value; fields.product_id = parent.value; fields.variation_id = ref; }
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    if (window.Holdfast) window.Holdfast.done();
    // The prototype call: a product form field named "submit" cannot shadow it.
    HTMLFormElement.prototype.submit.call(form);
  });
})();
