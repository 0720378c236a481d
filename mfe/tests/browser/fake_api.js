// A fake API behind window.fetch, so the element runs against answers each test sets up.
// Routes are "METHOD /path"; each holds a queue of answers (the last one repeats). Every
// request is logged with its Authorization header and whether it was aborted.
const state = { routes: new Map(), log: [] };

export function install() {
  if (globalThis.__fakeApi) return;
  globalThis.__fakeApi = state;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    // The caller's own signal: the copy `new Request` makes may not pass an abort on.
    const signal = init?.signal ?? (input instanceof Request ? input.signal : request.signal);
    const url = new URL(request.url);
    // Only the API is fake; the test harness still loads its own files.
    if (!url.pathname.startsWith("/api/") && url.pathname !== "/exchange") return realFetch(input, init);
    const entry = {
      method: request.method,
      path: url.pathname,
      query: url.search,
      authorization: request.headers.get("authorization"),
      aborted: false,
    };
    state.log.push(entry);
    const queue = state.routes.get(`${request.method} ${url.pathname}`);
    const answer = !queue ? { status: 404, body: { type: "about:blank", title: "Not Found", status: 404 } }
      : queue.length > 1 ? queue.shift() : queue[0];
    return new Promise((resolve, reject) => {
      let settled = false;
      const abort = () => {
        if (settled) return;
        settled = entry.aborted = true;
        reject(new DOMException("The operation was aborted.", "AbortError"));
      };
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort);
      if (answer.hold) return;
      const type = answer.status >= 400 ? "application/problem+json" : "application/json";
      const body = answer.body === undefined ? null : JSON.stringify(answer.body);
      setTimeout(() => {
        if (settled) return;
        settled = true;
        resolve(new Response(body, { status: answer.status, headers: { "content-type": type } }));
      }, 5);
    });
  };
}

export function reset() {
  state.routes.clear();
  state.log.length = 0;
}

/// `body` is JSON text; `hold` never answers (until aborted).
export function route(method, path, status, body, hold) {
  const key = `${method} ${path}`;
  if (!state.routes.has(key)) state.routes.set(key, []);
  state.routes.get(key).push({ status, body: body ? JSON.parse(body) : undefined, hold });
}

export function count(method, path) {
  return state.log.filter((e) => e.method === method && e.path === path).length;
}

export function aborted() {
  return state.log.filter((e) => e.aborted).length;
}

export function queries(method, path) {
  return state.log.filter((e) => e.method === method && e.path === path).map((e) => e.query);
}

export function authorizations(path) {
  return state.log.filter((e) => e.path === path).map((e) => e.authorization);
}
