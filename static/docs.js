/* The API docs page: renders /api/v1/openapi.json readably, in the page's language. Offline: no
 * external URL, no library. Everything from the spec is inserted as text (textContent), never as
 * HTML; the spec's summaries and descriptions are English messages of the catalog (extracted from
 * the spec by locator/api/spec.py extract_messages), shown translated. */
import { el } from "./js/dom.js";
import { t, tParts } from "./js/i18n.js";

var EXAMPLES = {
  "/api/v1/partners": "?near=Aarhus&tier=premier",
  "/api/v1/partners/markers": "?bbox=54,7,58,13&zoom=6",
  "/api/v1/suggest": "?q=Aar"
};

function slug(text) { return String(text).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase(); }

var spec = null;

function refName(ref) { return String(ref).split("/").pop(); }

function resolve(schema) {
  var seen = 0;
  while (schema && schema.$ref && seen++ < 20) {
    schema = (spec.components && spec.components.schemas || {})[refName(schema.$ref)] || {};
  }
  return schema || {};
}

/** anyOf [{type: object, nullable}, {$ref}] (how apispec writes a nullable nested schema) -> the ref, nullable. */
function unwrap(schema) {
  if (schema && schema.anyOf) {
    var real = schema.anyOf.filter(function (s) { return !(s.type === "object" && s.nullable && !s.properties); });
    var nullable = real.length < schema.anyOf.length;
    if (real.length === 1) return { schema: real[0], nullable: nullable || !!schema.nullable };
  }
  return { schema: schema || {}, nullable: !!(schema && schema.nullable) };
}

function typeNode(schema, plain) {
  var u = unwrap(schema);
  schema = u.schema;
  var parts = [];
  if (schema.$ref) {
    var name = refName(schema.$ref);
    parts.push(plain ? name : el("a", { href: "#schema-" + slug(name), text: name }));
  } else if (schema.anyOf) {
    schema.anyOf.forEach(function (s, i) { if (i) parts.push(" | "); parts.push(typeNode(s, plain)); });
  } else if (schema.type === "array") {
    parts.push(tParts("array of %(type)s", { type: typeNode(schema.items || {}, plain) }));
  } else if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object" && !schema.properties) {
    parts.push(tParts("object: string \u2192 %(type)s", { type: typeNode(schema.additionalProperties, plain) }));
  } else {
    parts.push(schema.type || "any");
    if (schema.format) parts.push(" (" + schema.format + ")");
  }
  if (u.nullable) parts.push(" ", t("or null"));
  return el("span", { class: "type", translate: "no" }, parts);
}

function constraints(schema) {
  schema = unwrap(schema).schema;
  if (schema.type === "array" && schema.items) return constraints(schema.items);
  var out = [];
  if (schema.enum) out.push(el("span", {}, t("one of"), " ", schema.enum.map(function (v, i) {
    return [i ? ", " : "", el("code", { text: String(v) })];
  })));
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    out.push(el("span", { text: (schema.minimum !== undefined ? schema.minimum + " \u2264 " : "") + t("value") +
                                 (schema.maximum !== undefined ? " \u2264 " + schema.maximum : "") }));
  }
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    out.push(el("span", { text: t("length %(range)s", { range: (schema.minLength || 0) + "\u2013" + (schema.maxLength !== undefined ? schema.maxLength : "\u221e") }) }));
  }
  if (schema.pattern) out.push(el("span", {}, t("pattern"), " ", el("code", { translate: "no", text: schema.pattern })));
  if (schema.default !== undefined) out.push(el("span", {}, t("default"), " ", el("code", { translate: "no", text: JSON.stringify(schema.default) })));
  return out.map(function (node, i) { return [i ? "; " : "", node]; });
}

function parametersTable(parameters) {
  var table = el("table", { class: "params" },
    el("thead", {}, el("tr", {}, [t("Name"), t("In"), t("Type"), t("Required"), t("Allowed values"), t("Description")].map(function (h) {
      return el("th", { scope: "col", text: h });
    }))));
  var body = el("tbody");
  parameters.forEach(function (p) {
    var schema = p.schema || {};
    var repeatable = schema.type === "array" && p.in === "query";
    body.appendChild(el("tr", { "data-param": p.name },
      el("th", { scope: "row" }, el("code", { translate: "no", text: p.name })),
      el("td", { translate: "no", text: p.in }),
      el("td", {}, typeNode(schema), repeatable ? el("span", { class: "muted", text: " " + t("(repeat the parameter)") }) : null),
      el("td", { text: p.required ? t("yes") : t("no") }),
      el("td", {}, constraints(schema)),
      el("td", { text: described(p.description || schema.description) })));
  });
  table.appendChild(body);
  return el("div", { class: "table-wrap" }, table);
}

/** An object schema as a table of its fields; nested objects open in <details>. */
function schemaTable(schema, depth, trail) {
  schema = resolve(unwrap(schema).schema);
  if (schema.type === "array") return el("p", {}, tParts("Array of %(type)s", { type: typeNode(schema.items || {}) }));
  var props = schema.properties || {};
  var table = el("table", { class: "fields" },
    el("thead", {}, el("tr", {}, [t("Field"), t("Type"), t("Notes")].map(function (h) { return el("th", { scope: "col", text: h }); }))));
  var body = el("tbody");
  Object.keys(props).forEach(function (name) {
    var prop = props[name];
    var inner = unwrap(prop).schema;
    var target = inner.type === "array" ? unwrap(inner.items || {}).schema : inner;
    var nested = null;
    if (target.$ref && depth < 4 && trail.indexOf(target.$ref) < 0) {
      nested = el("details", { class: "nested" }, el("summary", {}, tParts("%(schema)s fields", { schema: el("span", { translate: "no", text: refName(target.$ref) }) })),
                  schemaTable(target, depth + 1, trail.concat([target.$ref])));
    }
    body.appendChild(el("tr", {},
      el("th", { scope: "row" }, el("code", { translate: "no", text: name })),
      el("td", {}, typeNode(prop)),
      el("td", {}, el("span", { text: described(prop.description || inner.description) }),
                   constraints(prop).length ? el("div", { class: "muted" }, constraints(prop)) : null,
                   nested)));
  });
  table.appendChild(body);
  return el("div", { class: "table-wrap" }, table);
}

function responsesBlock(responses) {
  var list = el("div", { class: "responses" });
  Object.keys(responses || {}).sort().forEach(function (status) {
    var r = responses[status];
    var schema = r.content && r.content["application/json"] && r.content["application/json"].schema;
    var summary = el("summary", {}, el("span", { class: "status status-" + status.charAt(0), text: status }), " ",
                     described(r.description), schema ? [" \u2013 ", typeNode(schema, true)] : null);
    var details = el("details", { class: "response" }, summary);
    if (status.charAt(0) === "2") details.open = true;
    if (schema) details.appendChild(schemaTable(schema, 1, schema.$ref ? [schema.$ref] : []));
    list.appendChild(details);
  });
  return list;
}

function endpoint(path, method, operation) {
  var id = slug(method + "-" + path);
  var example = EXAMPLES[path];
  var section = el("section", { class: "endpoint", id: id, "data-path": path, "aria-labelledby": id + "-title" },
    el("h2", { id: id + "-title" }, el("span", { class: "method method-" + method, translate: "no", text: method.toUpperCase() }), " ",
       el("code", { class: "path", text: path })),
    operation.summary ? el("p", { class: "summary", text: described(operation.summary) }) : null,
    operation.description ? el("p", { text: described(operation.description) }) : null,
    example ? el("p", { class: "example" }, t("Example:"), " ", el("a", { href: path + example, translate: "no", text: "GET " + path + example })) : null);
  var parameters = operation.parameters || [];
  section.appendChild(el("h3", { text: t("Parameters") }));
  section.appendChild(parameters.length ? parametersTable(parameters) : el("p", { class: "muted", text: t("None.") }));
  section.appendChild(el("h3", { text: t("Responses") }));
  section.appendChild(responsesBlock(operation.responses));
  return section;
}

function render(data) {
  spec = data;
  var info = spec.info || {};
  document.title = t("%(title)s – reference", { title: document.getElementById("api-title").textContent });
  document.getElementById("api-version").textContent = info.version || "";
  var root = new URL("../../", window.location.href).href; // the locator's page, above /api/v1/docs
  document.getElementById("base-url").textContent = new URL("api/v1", root).href;
  document.getElementById("embed-snippet").textContent = '<div data-partner-locator data-country="DK" data-ui-lang="de"></div>\n' +
    '<script src="' + new URL("static/embed.js", root).href + '" async></script>';

  var container = document.getElementById("endpoints");
  container.textContent = "";
  var nav = document.getElementById("nav-list");
  var before = nav.querySelector('a[href="#embedding"]').parentNode;
  Object.keys(spec.paths || {}).forEach(function (path) {
    var item = spec.paths[path];
    ["get", "post", "put", "patch", "delete"].forEach(function (method) {
      if (!item[method]) return;
      var section = endpoint(path, method, item[method]);
      container.appendChild(section);
      nav.insertBefore(el("li", {}, el("a", { href: "#" + section.id }, el("span", { class: "method method-" + method, translate: "no", text: method.toUpperCase() }),
                                              " ", el("code", { text: path }))), before);
    });
  });

  var schemas = (spec.components && spec.components.schemas) || {};
  var holder = document.getElementById("schemas");
  Object.keys(schemas).sort().forEach(function (name) {
    holder.appendChild(el("section", { class: "schema", id: "schema-" + slug(name) },
      el("h3", {}, el("code", { translate: "no", text: name })), schemaTable({ $ref: "#/components/schemas/" + name }, 1, ["#/components/schemas/" + name])));
  });
  document.getElementById("schemas-section").hidden = !Object.keys(schemas).length;
  nav.insertBefore(el("li", {}, el("a", { href: "#schemas-section", text: t("Schemas") })), before);
  if (window.location.hash) {
    var target = document.getElementById(window.location.hash.slice(1));
    if (target) target.scrollIntoView();
  }
}

function fail(message) {
  var container = document.getElementById("endpoints");
  container.textContent = "";
  container.appendChild(el("p", { class: "error", text: t("The API description could not be loaded (%(reason)s).", { reason: message }) + " " }));
  container.lastChild.appendChild(el("a", { href: "openapi.json", text: t("Open the raw OpenAPI JSON") }));
}

function start() {
  fetch("openapi.json", { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(render)
    .catch(function (e) { fail(e && e.message ? e.message : t("network error")); });
}

start(); // modules run after the document is parsed

/** A text of the spec (English) in the page's language. */
function described(text) { return text ? t(text) : ""; }
