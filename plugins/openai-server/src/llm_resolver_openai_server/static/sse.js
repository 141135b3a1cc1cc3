// Server-sent events over fetch: EventSource cannot POST or send an Authorization header.

/** Each event's data, parsed as JSON, until `data: [DONE]` or the end of the body. */
export async function* sseEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = eventEnd(buffer)) !== null) {
        const data = dataOf(buffer.slice(0, end.at));
        buffer = buffer.slice(end.at + end.length);
        if (data === null) continue;
        if (data === "[DONE]") return;
        yield JSON.parse(data);
      }
    }
    const rest = dataOf(buffer);
    if (rest !== null && rest !== "[DONE]") yield JSON.parse(rest);
  } finally {
    reader.cancel().catch(() => {});
  }
}

function eventEnd(text) {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? { at: match.index, length: match[0].length } : null;
}

/** The data of one event (its `data:` lines joined), or null for an event without any (a comment). */
function dataOf(block) {
  const lines = block.split(/\r?\n/).filter((line) => line.startsWith("data:"));
  if (lines.length === 0) return null;
  return lines.map((line) => line.slice(5).replace(/^ /, "")).join("\n");
}
