// Endpoints: the discovery document (what SDKs and the web app are pointed at), every resource's
// local name, ARN and URL, and the REST API's routes with their full URLs.

import { h, fill, json, architecture, loading, showError, pageFrame, copyable, table } from "/_formwork/console/lib.js";
import { kindClass } from "/_formwork/console/pages/architecture.js";

/** The discovery document's keys, in the order people look for them, with what they are for. */
const DISCOVERY = [
  ["endpoint", "The simulator: every AWS service and the control API"],
  ["region", "The region SDKs sign for"],
  ["apiUrl", "The REST API's stage"],
  ["siteUrl", "The web site"],
  ["cognitoEndpoint", "Cognito Identity Provider"],
  ["dynamoDBEndpoint", "DynamoDB"],
  ["userPoolId", "The user pool"],
  ["userPoolClientId", "The user pool's app client"],
];
const ACCESS = { public: "public", "signed-in": "signed in", groups: "groups" };

export function createEndpointsPage() {
  const frame = pageFrame("endpoints", "Endpoints", "Where each service and resource answers, to point SDKs, tools and the web app at.");
  let loaded = false;

  async function load() {
    await loading(frame.element, async () => {
      let endpoints;
      let blueprint;
      try {
        [endpoints, blueprint] = await Promise.all([json("/_formwork/endpoints"), architecture()]);
        showError(frame.errors, null);
      } catch (error) {
        showError(frame.errors, error);
        throw error;
      }
      fill(frame.body,
        discoverySection(endpoints),
        routesSection(blueprint.routes || []),
        resourcesSection(blueprint.resources || []));
      loaded = true;
    }).catch(() => {});
  }

  return {
    element: frame.element,
    show() {
      if (!loaded) load();
    },
    hide() {},
  };
}

function discoverySection(endpoints) {
  const known = DISCOVERY.filter(([key]) => key in endpoints);
  const extra = Object.keys(endpoints).filter((key) => !DISCOVERY.some(([k]) => k === key));
  return h("section", { class: "card", "aria-labelledby": "discovery-heading" },
    h("h3", { id: "discovery-heading" }, "Discovery document ", h("a", { href: "/_formwork/endpoints", class: "muted small" }, "/_formwork/endpoints")),
    h("dl", { class: "facts facts-wide", id: "discovery" },
      [...known, ...extra.map((key) => [key, ""])].map(([key, meaning]) => [
        h("dt", null, h("code", null, key), meaning ? h("span", { class: "muted small" }, meaning) : null),
        h("dd", null, copyable(typeof endpoints[key] === "string" ? endpoints[key] : JSON.stringify(endpoints[key]))),
      ])));
}

function routesSection(routes) {
  const rows = routes.map((route) => [
    h("span", { class: `method method-${String(route.method).toLowerCase()}` }, route.method),
    h("code", null, route.path),
    h("a", { href: `#/logs/${encodeURIComponent(route.function)}`, title: `Logs of ${route.function}` }, route.function),
    accessCell(route),
    copyable(route.url),
  ]);
  return h("section", { class: "card", "aria-labelledby": "routes-heading" },
    h("h3", { id: "routes-heading" }, `Routes (${routes.length})`),
    routes.length
      ? h("div", { class: "table-scroll" }, table(["Method", "Path", "Function", "Access", "URL"], rows, { id: "routes-table" }))
      : h("p", { class: "muted" }, "The blueprint has no REST API routes."));
}

function accessCell(route) {
  const access = route.access || "signed-in";
  return h("span", { class: `access access-${access}` },
    access === "groups" && Array.isArray(route.groups) && route.groups.length ? route.groups.join(", ") : ACCESS[access] || access);
}

function resourcesSection(resources) {
  const rows = resources.map((resource) => [
    h("a", { href: `#/architecture/${encodeURIComponent(resource.id)}` }, resource.id),
    h("span", { class: `kind-badge ${kindClass(resource.kind)}` }, resource.kind),
    copyable(resource.name),
    copyable(resource.arn),
    copyable(resource.url),
  ]);
  return h("section", { class: "card", "aria-labelledby": "resources-heading" },
    h("h3", { id: "resources-heading" }, `Resources (${resources.length})`),
    h("div", { class: "table-scroll" }, table(["Resource", "Kind", "Local name", "ARN", "URL"], rows, { id: "resources-table" })));
}
