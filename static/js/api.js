/* The API client: GET JSON, every failure turned into one error shape the page can explain. */

const API = "api/v1"; // relative to the page, so the locator also works under a path prefix

/** GET JSON from the API; rejects with {status, code, message, fields, suggestions} on any failure
 *  (an AbortError passes through as it is). */
export function getJSON(path, params, signal) {
  const url = API + path + (params && params.toString() ? "?" + params.toString() : "");
  return fetch(url, { headers: { Accept: "application/json" }, signal: signal, credentials: "same-origin" })
    .then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && body) return body;
        const error = (body && body.error) || {};
        throw {
          status: error.status || response.status,
          code: error.code || "http_error",
          message: error.message || response.statusText || "request failed",
          fields: error.fields || null,
          suggestions: error.suggestions || null
        };
      });
    }, function (err) {
      if (err && err.name === "AbortError") throw err;
      throw { status: 0, code: "network", message: "the search service could not be reached" };
    });
}

/** A fresh AbortController after aborting the previous one (null where the browser has none). */
export function replaceAbort(previous) {
  if (previous) previous.abort();
  return window.AbortController ? new AbortController() : null;
}
