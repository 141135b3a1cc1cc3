// The playground: settings, the conversation, and one streamed chat completion per turn.

import { Api, ApiError } from "./api.js";
import { addTurn, el, showError, showMeta, showModelCard, usd } from "./view.js";

const KEY_ITEM = "llm-resolver.playground.key";
const $ = (id) => document.getElementById(id);

const state = {
  history: [], // the conversation sent with every turn (OpenAI message objects)
  image: null, // data URL of the attached image
  listed: new Map(), // id -> a provider listing's entry, for the model card
  running: null, // the AbortController of the turn in flight
};

const api = () => new Api($("key").value.trim());

function reportError(error) {
  showError($("error"), error instanceof ApiError ? error : { message: String(error?.message ?? error) });
}

// Models and providers ---------------------------------------------------------------------------

async function loadServerModels() {
  const group = $("server-models");
  const body = await api().get("models");
  group.replaceChildren(...body.data.map((m) => el("option", { value: m.id }, m.id)));
}

async function loadProviders() {
  const body = await api().get("providers");
  const select = $("provider");
  select.replaceChildren(
    ...body.data.map((p) => {
      const notes = [p.used_by.length ? `used by ${p.used_by.join(", ")}` : null, p.key_configured ? "key set" : "no key"];
      return el("option", { value: p.id }, `${p.id} (${notes.filter(Boolean).join("; ")})`);
    }),
  );
}

async function listModels(refresh) {
  const provider = $("provider").value;
  if (!provider) return;
  const status = $("listing-status");
  status.textContent = `Listing ${provider}…`;
  try {
    const path = `providers/${encodeURIComponent(provider)}/models`;
    const listing = refresh ? await api().post(`${path}/refresh`) : await api().get(path);
    const group = $("listed-models");
    state.listed = new Map(listing.data.map((m) => [m.id, m]));
    group.label = `Listed by ${provider}`;
    group.replaceChildren(...listing.data.map((m) => el("option", { value: m.id }, m.id)));
    group.hidden = listing.data.length === 0;
    const age = listing.source === "cache" ? `, ${Math.round(listing.age_s)} s old` : "";
    const why = listing.error ? ` — ${listing.error}` : "";
    status.textContent = `${listing.data.length} models from the ${listing.source}${age}${why}`;
    showError($("error"), null);
  } catch (error) {
    status.textContent = "";
    reportError(error);
  }
}

// A turn -------------------------------------------------------------------------------------------

function requestBody(turn) {
  const messages = [];
  const system = $("system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push(...state.history, turn);
  const body = { model: $("model").value, messages, stream: true, stream_options: { include_usage: true } };
  const temperature = $("temperature").value;
  if (temperature !== "") body.temperature = Number(temperature);
  const maxTokens = $("max-tokens").value;
  if (maxTokens !== "") body.max_tokens = Number(maxTokens);
  const format = $("response-format").value;
  if (format === "json_object") body.response_format = { type: "json_object" };
  if (format === "json_schema") body.response_format = { type: "json_schema", json_schema: schemaOf($("schema").value) };
  return body;
}

/** A bare schema is named "response"; an object with its own name and schema is taken as it is. */
function schemaOf(text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`The JSON schema is not valid JSON: ${error.message}`);
  }
  return parsed && parsed.schema && parsed.name ? parsed : { name: "response", schema: parsed, strict: true };
}

function userMessage(text) {
  const image = state.image;
  const content = image ? [{ type: "text", text }, { type: "image_url", image_url: { url: image } }] : text;
  return { role: "user", content };
}

/** What this turn's prompt (the conversation so far included) will cost, before it is sent. */
async function estimate() {
  const text = $("prompt").value.trim();
  const result = $("estimate-result");
  if (!text) return;
  try {
    const body = requestBody(userMessage(text));
    const output = body.max_tokens ?? 0;
    const answer = await api().post("cost/estimate", { model: body.model, messages: body.messages, output_tokens: output });
    const limit = output ? ` + up to ${output} output tokens` : "";
    result.textContent = `About ${answer.input_tokens} prompt tokens${limit}: ${usd(answer.cost_usd)} (priced as ${answer.priced_as})`;
    showError($("error"), null);
  } catch (error) {
    result.textContent = "";
    reportError(error);
  }
}

async function send(event) {
  event.preventDefault();
  const text = $("prompt").value.trim();
  if (!text || state.running) return;
  const image = state.image;
  const message = userMessage(text);
  let body;
  try {
    body = requestBody(message);
  } catch (error) {
    reportError(error);
    return;
  }
  showError($("error"), null);
  $("estimate-result").textContent = "";
  const userTurn = addTurn($("log"), "user", text, image);
  $("prompt").value = "";
  clearImage();
  const answer = addTurn($("log"), "assistant", "");
  answer.closest(".turn").setAttribute("aria-busy", "true");
  // the conversation this turn belongs to: a new conversation started meanwhile must not receive it
  const history = state.history;
  const controller = new AbortController();
  setRunning(controller);
  const started = performance.now();
  let ttft = null;
  let reply = "";
  let usage = null;
  let extras = null;
  try {
    for await (const chunk of api().chat(body, controller.signal)) {
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        if (ttft === null) ttft = performance.now() - started;
        reply += delta;
        answer.textContent = reply;
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunk.llm_resolver) extras = chunk.llm_resolver;
    }
    history.push(message, { role: "assistant", content: reply });
    showMeta(answer, { extras, usage, ttft, total: performance.now() - started });
  } catch (error) {
    // the turn did not happen: it leaves the history, and its text goes back to the box to fix or
    // resend, unless a new conversation was asked for
    answer.closest(".turn").remove();
    userTurn.closest(".turn").remove();
    if (history === state.history) $("prompt").value = text;
    if (error.name !== "AbortError") reportError(error);
  } finally {
    answer.closest(".turn")?.removeAttribute("aria-busy");
    if (state.running === controller) setRunning(null);
  }
}

function setRunning(controller) {
  state.running = controller;
  $("send").disabled = controller !== null;
  $("stop").disabled = controller === null;
}

// The image --------------------------------------------------------------------------------------

function attachImage() {
  const file = $("image").files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    state.image = reader.result;
    $("image-thumb").src = reader.result;
    $("image-preview").hidden = false;
  };
  reader.onerror = () => reportError(new Error(`Could not read ${file.name}`));
  reader.readAsDataURL(file);
}

function clearImage() {
  state.image = null;
  $("image").value = "";
  $("image-thumb").removeAttribute("src");
  $("image-preview").hidden = true;
}

// Start ------------------------------------------------------------------------------------------

async function connect() {
  try {
    await loadServerModels();
    await loadProviders();
    showError($("error"), null);
  } catch (error) {
    reportError(error);
  }
}

function start() {
  const key = $("key");
  key.value = sessionStorage.getItem(KEY_ITEM) ?? "";
  key.addEventListener("change", () => {
    sessionStorage.setItem(KEY_ITEM, key.value.trim());
    connect();
  });
  $("settings").addEventListener("submit", (event) => event.preventDefault());
  $("composer").addEventListener("submit", send);
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("composer").requestSubmit();
  });
  $("stop").addEventListener("click", () => state.running?.abort());
  $("estimate").addEventListener("click", estimate);
  $("clear").addEventListener("click", () => {
    // a turn in flight ends with the conversation it belongs to
    state.running?.abort();
    setRunning(null);
    state.history = [];
    $("log").replaceChildren();
    showError($("error"), null);
  });
  $("list-models").addEventListener("click", () => listModels(false));
  $("refresh-models").addEventListener("click", () => listModels(true));
  $("model").addEventListener("change", () => showModelCard($("model-card"), state.listed.get($("model").value)));
  $("response-format").addEventListener("change", () => {
    $("schema-box").hidden = $("response-format").value !== "json_schema";
  });
  $("image").addEventListener("change", attachImage);
  $("image-remove").addEventListener("click", clearImage);
  document.body.dataset.ready = "true";
  connect();
}

start();
