/* Fills a clone of a server-made prototype (locator/api/templates/card.html) from a view object.
 *
 *   data-slot="k"         the element's own text becomes view[k] (child elements stay where they are)
 *   data-if="k"           the element is removed when view[k] is empty
 *   data-each="k"         the element is repeated for each item of view[k], filled from that item
 *   data-attrs="a:k ..."  attribute a is set to view[k]
 * Values only ever become text nodes and attribute values, never markup.
 */

export function fill(node, view) {
  if (node.dataset.if !== undefined && isEmpty(view[node.dataset.if])) { node.remove(); return; }
  setAttrs(node, view);
  setSlot(node, view);
  Array.from(node.children).forEach(function (child) {
    if (child.dataset.each) repeat(child, view[child.dataset.each] || []);
    else fill(child, view);
  });
}

function repeat(prototype, items) {
  items.forEach(function (item) {
    const clone = prototype.cloneNode(true);
    prototype.before(clone);
    fill(clone, item);
  });
  prototype.remove();
}

function setAttrs(node, view) {
  (node.dataset.attrs || "").split(/\s+/).filter(Boolean).forEach(function (pair) {
    const [name, key] = pair.split(":");
    node.setAttribute(name, String(view[key] ?? ""));
  });
}

/** The prototype holds a placeholder text where the value goes: replace it, keep the elements. */
function setSlot(node, view) {
  const key = node.dataset.slot;
  if (!key) return;
  const texts = Array.from(node.childNodes).filter(function (child) { return child.nodeType === Node.TEXT_NODE; });
  const value = String(view[key] ?? "");
  if (value) node.insertBefore(document.createTextNode(value), texts[0] || null);
  texts.forEach(function (text) { text.remove(); });
}

function isEmpty(value) {
  return value === null || value === undefined || value === false || value === "" || (Array.isArray(value) && !value.length);
}
