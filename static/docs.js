/* The API docs page: renders /api/v1/openapi.json readably. Offline: no external URL, no library.
 * Everything from the spec is inserted as text (textContent), never as HTML. */
(function () {
  "use strict";

  var EXAMPLES = {
    "/api/v1/partners": "?near=Aarhus&tier=premier",
    "/api/v1/partners/markers": "?bbox=54,7,58,13&zoom=6",
    "/api/v1/suggest": "?q=Aar"
  };

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, String(value));
    });
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }

  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(node, c); }); return; }
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }

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
      parts.push("array of ", typeNode(schema.items || {}, plain));
    } else if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object" && !schema.properties) {
      parts.push("object: string \u2192 ", typeNode(schema.additionalProperties, plain));
    } else {
      parts.push(schema.type || "any");
      if (schema.format) parts.push(" (" + schema.format + ")");
    }
    if (u.nullable) parts.push(" or null");
    return el("span", { class: "type" }, parts);
  }

  function constraints(schema) {
    schema = unwrap(schema).schema;
    if (schema.type === "array" && schema.items) return constraints(schema.items);
    var out = [];
    if (schema.enum) out.push(el("span", {}, "one of ", schema.enum.map(function (v, i) {
      return [i ? ", " : "", el("code", { text: String(v) })];
    })));
    if (schema.minimum !== undefined || schema.maximum !== undefined) {
      out.push(el("span", { text: (schema.minimum !== undefined ? schema.minimum + " \u2264 " : "") + "value" +
                                   (schema.maximum !== undefined ? " \u2264 " + schema.maximum : "") }));
    }
    if (schema.minLength !== undefined || schema.maxLength !== undefined) {
      out.push(el("span", { text: "length " + (schema.minLength || 0) + "\u2013" + (schema.maxLength !== undefined ? schema.maxLength : "\u221e") }));
    }
    if (schema.pattern) out.push(el("span", {}, "pattern ", el("code", { text: schema.pattern })));
    if (schema.default !== undefined) out.push(el("span", {}, "default ", el("code", { text: JSON.stringify(schema.default) })));
    return out.map(function (node, i) { return [i ? "; " : "", node]; });
  }

  function parametersTable(parameters) {
    var table = el("table", { class: "params" },
      el("thead", {}, el("tr", {}, ["Name", "In", "Type", "Required", "Allowed values", "Description"].map(function (h) {
        return el("th", { scope: "col", text: h });
      }))));
    var body = el("tbody");
    parameters.forEach(function (p) {
      var schema = p.schema || {};
      var repeatable = schema.type === "array" && p.in === "query";
      body.appendChild(el("tr", { "data-param": p.name },
        el("th", { scope: "row" }, el("code", { text: p.name })),
        el("td", { text: p.in }),
        el("td", {}, typeNode(schema), repeatable ? el("span", { class: "muted", text: " (repeat the parameter)" }) : null),
        el("td", { text: p.required ? "yes" : "no" }),
        el("td", {}, constraints(schema)),
        el("td", { text: p.description || schema.description || "" })));
    });
    table.appendChild(body);
    return el("div", { class: "table-wrap" }, table);
  }

  /** An object schema as a table of its fields; nested objects open in <details>. */
  function schemaTable(schema, depth, trail) {
    schema = resolve(unwrap(schema).schema);
    if (schema.type === "array") return el("p", {}, "Array of ", typeNode(schema.items || {}));
    var props = schema.properties || {};
    var table = el("table", { class: "fields" },
      el("thead", {}, el("tr", {}, ["Field", "Type", "Notes"].map(function (h) { return el("th", { scope: "col", text: h }); }))));
    var body = el("tbody");
    Object.keys(props).forEach(function (name) {
      var prop = props[name];
      var inner = unwrap(prop).schema;
      var target = inner.type === "array" ? unwrap(inner.items || {}).schema : inner;
      var nested = null;
      if (target.$ref && depth < 4 && trail.indexOf(target.$ref) < 0) {
        nested = el("details", { class: "nested" }, el("summary", { text: refName(target.$ref) + " fields" }),
                    schemaTable(target, depth + 1, trail.concat([target.$ref])));
      }
      body.appendChild(el("tr", {},
        el("th", { scope: "row" }, el("code", { text: name })),
        el("td", {}, typeNode(prop)),
        el("td", {}, el("span", { text: prop.description || inner.description || "" }),
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
                       r.description || "", schema ? [" \u2013 ", typeNode(schema, true)] : null);
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
      el("h2", { id: id + "-title" }, el("span", { class: "method method-" + method, text: method.toUpperCase() }), " ",
         el("code", { class: "path", text: path })),
      operation.summary ? el("p", { class: "summary", text: operation.summary }) : null,
      operation.description ? el("p", { text: operation.description }) : null,
      example ? el("p", { class: "example" }, "Example: ", el("a", { href: path + example, text: "GET " + path + example })) : null);
    var parameters = operation.parameters || [];
    section.appendChild(el("h3", { text: "Parameters" }));
    section.appendChild(parameters.length ? parametersTable(parameters) : el("p", { class: "muted", text: "None." }));
    section.appendChild(el("h3", { text: "Responses" }));
    section.appendChild(responsesBlock(operation.responses));
    return section;
  }

  function render(data) {
    spec = data;
    var info = spec.info || {};
    document.getElementById("api-title").textContent = info.title || "API";
    document.title = (info.title || "API") + " \u2013 reference";
    if (info.description) document.getElementById("api-description").textContent = info.description;
    document.getElementById("api-version").textContent = info.version || "";
    var root = new URL("../../", window.location.href).href; // the locator's page, above /api/v1/docs
    document.getElementById("base-url").textContent = new URL("api/v1", root).href;
    document.getElementById("embed-snippet").textContent =
      '<div data-partner-locator data-country="DK"></div>\n<script src="' + new URL("static/embed.js", root).href + '" async></script>';

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
        nav.insertBefore(el("li", {}, el("a", { href: "#" + section.id }, el("span", { class: "method method-" + method, text: method.toUpperCase() }),
                                                " ", el("code", { text: path }))), before);
      });
    });

    var schemas = (spec.components && spec.components.schemas) || {};
    var holder = document.getElementById("schemas");
    Object.keys(schemas).sort().forEach(function (name) {
      holder.appendChild(el("section", { class: "schema", id: "schema-" + slug(name) },
        el("h3", {}, el("code", { text: name })), schemaTable({ $ref: "#/components/schemas/" + name }, 1, ["#/components/schemas/" + name])));
    });
    document.getElementById("schemas-section").hidden = !Object.keys(schemas).length;
    nav.insertBefore(el("li", {}, el("a", { href: "#schemas-section", text: "Schemas" })), before);
    if (window.location.hash) {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  function fail(message) {
    var container = document.getElementById("endpoints");
    container.textContent = "";
    container.appendChild(el("p", { class: "error", text: "The API description could not be loaded (" + message + "). " }));
    container.lastChild.appendChild(el("a", { href: "openapi.json", text: "Open the raw OpenAPI JSON" }));
  }

  function start() {
    fetch("openapi.json", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(render)
      .catch(function (e) { fail(e && e.message ? e.message : "network error"); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
