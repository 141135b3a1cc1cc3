// Rendering only: every text a server or a user wrote goes in as textContent, never as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function usd(value) {
  if (value === null || value === undefined) return "not priceable";
  if (value === 0) return "$0";
  return value < 0.01 ? `$${value.toPrecision(3)}` : `$${value.toFixed(4)}`;
}

export function perMillion(perToken) {
  return perToken === null || perToken === undefined ? "unknown" : `$${+(perToken * 1e6).toFixed(4)} / M`;
}

function ms(value) {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

/** A turn in the log; returns the element its text goes into (the answer streams into it). */
export function addTurn(log, role, text, imageUrl) {
  const body = el("div", { class: "text" }, text);
  const item = el("li", { class: `turn ${role}`, "data-role": role },
    el("span", { class: "who" }, role === "user" ? "You" : "Assistant"), body);
  if (imageUrl) item.append(el("img", { class: "attached", src: imageUrl, alt: "attached image" }));
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

/** What the answer cost and how it was reached, under the answer. */
export function showMeta(textNode, { extras, usage, ttft, total }) {
  const rows = [
    ["Answered by", extras?.model ?? "unknown"],
    ["Time to first token", ttft === null ? "no tokens" : ms(ttft)],
    ["Total time", ms(total)],
  ];
  if (usage) {
    rows.push(["Tokens", `${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens}`]);
  }
  rows.push(["Cost", extras ? usd(extras.cost_usd) : "unknown"]);
  if (extras?.cached) rows.push(["Cache", "answered from the cache"]);
  const list = el("dl", { class: "meta" });
  for (const [name, value] of rows) list.append(el("dt", {}, name), el("dd", { "data-meta": name }, value));
  const attempts = el("ol", { class: "attempts", "aria-label": "Attempts" });
  for (const a of extras?.attempts ?? []) {
    const words = [a.model, a.outcome];
    if (a.error_type) words.push(a.error_type);
    if (a.status_code) words.push(`HTTP ${a.status_code}`);
    words.push(ms((a.latency_s ?? 0) * 1000));
    attempts.append(el("li", { class: `attempt ${a.outcome}` }, words.join(" · ")));
  }
  const details = el("details", { class: "about", open: "" }, el("summary", {}, "Usage, cost and attempts"), list,
    el("p", { class: "hint" }, `Attempts (${extras?.attempts?.length ?? 0}): retries and fallbacks, in order`), attempts);
  textNode.closest(".turn").append(details);
}

export function showError(box, error) {
  box.replaceChildren();
  if (!error) {
    box.hidden = true;
    return;
  }
  const head = [error.status ? `HTTP ${error.status}` : "Error", error.code || error.type].filter(Boolean).join(" · ");
  box.append(el("strong", {}, head), el("p", { class: "message" }, error.message));
  if (error.param) box.append(el("p", { class: "hint" }, `Field: ${error.param}`));
  box.hidden = false;
}

/** What a provider's listing says of one model: context, prices, capabilities. */
export function showModelCard(card, model) {
  card.replaceChildren();
  if (!model) return;
  const yes = (v) => (v === null || v === undefined ? "unknown" : v ? "yes" : "no");
  const rows = [
    ["Context", model.context.max_input_tokens ?? "unknown"],
    ["Max output", model.context.max_output_tokens ?? "unknown"],
    ["Input price", perMillion(model.pricing.input_usd_per_token)],
    ["Output price", perMillion(model.pricing.output_usd_per_token)],
    ["Vision", yes(model.capabilities.vision)],
    ["Tools", yes(model.capabilities.tools)],
    ["JSON schema", yes(model.capabilities.response_schema)],
  ];
  const list = el("dl", { class: "meta" });
  for (const [name, value] of rows) list.append(el("dt", {}, name), el("dd", {}, String(value)));
  const note = "Chat goes through this server, which answers the models it serves (the first group) " +
    "and names them when asked for another.";
  card.append(el("strong", {}, model.id), list, el("p", { class: "hint" }, note));
}
