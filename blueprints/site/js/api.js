// The REST API (../shared/design/API.md): JSON bodies, the ID token in Authorization, errors
// as { message, code, details: [{ field, problem }] }.

const FIELD_NAMES = {
  title: "Title", description: "Description", assigneeId: "Assignee", deadline: "Deadline",
  priority: "Priority", status: "Status", version: "Version", email: "E-mail address", name: "Name",
  role: "Role", enabled: "Sign-in", limit: "Limit", nextToken: "Page",
};

const STATUS_WORDS = {
  0: "The server cannot be reached. Check your connection and try again.",
  400: "The request is not valid.",
  401: "Your session has ended. Sign in again.",
  403: "You are not allowed to do that.",
  404: "It no longer exists, or you cannot see it.",
  409: "Someone else changed it in the meantime.",
  413: "That is too much text to send at once.",
  429: "Too many requests. Wait a moment and try again.",
};

export class ApiError extends Error {
  constructor(status, body) {
    const data = body && typeof body === "object" ? body : {};
    super(data.message || STATUS_WORDS[status] || (status >= 500 ? "The server had a problem. Try again in a moment." : `The request failed (HTTP ${status}).`));
    this.name = "ApiError";
    this.status = status;
    this.code = data.code || "";
    this.details = Array.isArray(data.details) ? data.details : [];
  }

  /** The message and each field's problem, in words: "The request is not valid. Deadline: must be in the future." */
  get text() {
    const problems = this.details
      .filter((d) => d && (d.field || d.problem))
      .map((d) => `${FIELD_NAMES[d.field] || d.field || "Request"}: ${d.problem || "is not valid"}.`);
    const base = /[.!?]$/.test(this.message) ? this.message : `${this.message}.`;
    return [base, ...problems].join(" ");
  }

  get isConflict() {
    return this.status === 409;
  }
}

export function createApi(config, session) {
  const base = config.apiUrl.replace(/\/+$/, "");

  async function send(method, path, body, token) {
    const headers = { Authorization: token, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, null);
    }
  }

  async function call(method, path, body) {
    let response = await send(method, path, body, await session.idToken());
    if (response.status === 401 && session.signedIn) {
      // The token expired or was revoked on the server's clock: renew once and retry.
      try {
        await session.refresh();
      } catch {
        throw new ApiError(401, null);
      }
      response = await send(method, path, body, await session.idToken());
      if (response.status === 401) {
        session.end("Your session has ended. Sign in again.");
        throw new ApiError(401, null);
      }
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body === undefined ? {} : body),
    patch: (path, body) => call("PATCH", path, body),
    del: (path) => call("DELETE", path),
    /** Every page of a list (`items`, `nextToken`). */
    async all(path, limit = 100, maxPages = 50) {
      const items = [];
      let token = null;
      for (let page = 0; page < maxPages; page++) {
        const separator = path.includes("?") ? "&" : "?";
        const query = `${separator}limit=${limit}${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`;
        const data = await call("GET", path + query);
        items.push(...(data.items || []));
        token = data.nextToken;
        if (!token) break;
      }
      return items;
    },
  };
}

export const enc = encodeURIComponent;
