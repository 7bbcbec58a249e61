/* DOM helpers: build elements safely (text is never parsed as HTML), empty them, find them. */

export function $(id) { return document.getElementById(id); }

/** el("p", {class: "x", text: "..."}, child, ...): build DOM safely (text is never parsed as HTML). */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) { setAttr(node, key, attrs[key]); });
  children.forEach(function (child) { append(node, child); });
  return node;
}

function setAttr(node, key, value) {
  if (value === null || value === undefined || value === false) return;
  if (key === "text") node.textContent = String(value);
  else if (key === "class") node.className = value;
  else if (key.slice(0, 2) === "on" && typeof value === "function") node.addEventListener(key.slice(2), value);
  else if (key === "dataset") Object.keys(value).forEach(function (k) { node.dataset[k] = value[k]; });
  else node.setAttribute(key, value === true ? "" : String(value));
}

export function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
  node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

export function debounce(fn, ms) {
  let timer = null; // per debounced function, not module state
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), ms);
  };
}

/** A memo for a view: changes(a, b, ...) is true when any value differs (by identity) from the last
 *  call's, so a view draws only what its part of the state changed. */
export function changes() {
  let last = null;
  return function (...values) {
    const fresh = !last || values.some(function (value, i) { return value !== last[i]; });
    last = values;
    return fresh;
  };
}

/** Load a classic script (a vendored global library) once; resolves when it ran. */
export function loadScript(src) {
  return new Promise(function (resolve, reject) {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}
