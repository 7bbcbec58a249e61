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
