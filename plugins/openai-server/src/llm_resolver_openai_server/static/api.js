// The server's own API, with the user's key. The API sits beside the page: /playground -> /v1/...,
// and under a host's prefix too (/llm/playground -> /llm/v1/...).

import { sseEvents } from "./sse.js";

const BASE = new URL("../v1/", import.meta.url);

/** A failure as the server's OpenAI-style error body states it (or as close as the answer allows). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.type = error.type ?? null;
    this.code = error.code ?? null;
    this.param = error.param ?? null;
  }
}

export class Api {
  constructor(key) {
    this.key = key;
  }

  headers(json) {
    const headers = {};
    if (this.key) headers.Authorization = `Bearer ${this.key}`;
    if (json) headers["Content-Type"] = "application/json";
    return headers;
  }

  async get(path) {
    return this.answer(await fetch(new URL(path, BASE), { headers: this.headers(false) }));
  }

  async post(path, body) {
    const init = { method: "POST", headers: this.headers(true), body: JSON.stringify(body ?? {}) };
    return this.answer(await fetch(new URL(path, BASE), init));
  }

  async answer(response) {
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  /** The chunks of a streamed chat completion; an error event mid-stream is thrown as an ApiError. */
  async *chat(body, signal) {
    const response = await fetch(new URL("chat/completions", BASE), {
      method: "POST",
      headers: this.headers(true),
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await errorOf(response);
    for await (const event of sseEvents(response)) {
      if (event.error) throw new ApiError(response.status, event.error);
      yield event;
    }
  }
}

async function errorOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body.error === "object") return new ApiError(response.status, body.error);
  } catch {
    // not JSON: a proxy's page, say; shown as it came
  }
  return new ApiError(response.status, { message: `HTTP ${response.status}: ${text.slice(0, 300)}` });
}
