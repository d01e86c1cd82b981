// DynamoDB tables: their keys and indexes, their items page by page (Scan), and queries by key
// on the table or one of its indexes. Items are shown as plain values; a row opens its JSON.

import { h, fill, dynamo, loading, showError, busy, pageFrame, plainItem, shortText, uniqueId } from "/_formwork/console/lib.js";

const PAGE_SIZE = 25;
const CONDITIONS = [
  ["", "any sort key"],
  ["=", "="],
  ["<", "<"],
  ["<=", "≤"],
  [">", ">"],
  [">=", "≥"],
  ["begins_with", "begins with"],
  ["between", "between"],
];

export function createTablesPage() {
  const frame = pageFrame("tables", "Tables", "Items of the simulator's DynamoDB tables.");
  const tableList = h("ul", { class: "side-list", id: "table-list", "aria-label": "Tables" });
  const panel = h("div", { class: "table-panel", id: "table-panel" });
  frame.body.append(h("div", { class: "split" }, h("nav", { class: "side card", "aria-label": "Tables" }, h("h3", null, "Tables"), tableList), panel));

  const state = { names: [], chosen: null, description: null, results: null };

  async function loadNames() {
    const names = [];
    let start;
    do {
      const answer = await dynamo("ListTables", start ? { ExclusiveStartTableName: start } : {});
      names.push(...(answer.TableNames || []));
      start = answer.LastEvaluatedTableName;
    } while (start);
    state.names = names.sort();
  }

  function renderNames() {
    fill(tableList, (state.names.length
      ? state.names.map((name) => h("li", null, h("a", {
        href: `#/tables/${encodeURIComponent(name)}`, class: "side-link", dataset: { table: name },
        "aria-current": name === state.chosen ? "true" : false,
      }, name)))
      : [h("li", { class: "muted" }, "No tables.")]));
  }

  async function choose(name) {
    state.chosen = name;
    renderNames();
    fill(panel, h("p", { class: "muted" }, `Reading ${name}…`));
    let answer;
    try {
      answer = await dynamo("DescribeTable", { TableName: name });
      showError(frame.errors, null);
    } catch (error) {
      if (state.chosen === name) {
        showError(frame.errors, error);
        panel.replaceChildren();
      }
      return;
    }
    // Another table was chosen while this one was read.
    if (state.chosen !== name) return;
    state.description = answer.Table;
    renderTable();
    await browse.first();
  }

  // ---- one table ----

  const results = h("div", { class: "results-area", id: "table-results" });
  let browse = null;

  function renderTable() {
    const table = state.description;
    const keys = describeKeys(table);
    const indexes = [
      ...(table.GlobalSecondaryIndexes || []).map((index) => ({ ...index, kind: "global" })),
      ...(table.LocalSecondaryIndexes || []).map((index) => ({ ...index, kind: "local" })),
    ];
    const scanButton = h("button", { type: "button", id: "table-scan", class: "button-quiet" }, "Browse all items");
    browse = pager(results, (start) => dynamo("Scan", { TableName: table.TableName, Limit: PAGE_SIZE, ...(start ? { ExclusiveStartKey: start } : {}) }),
      () => keyNames(table, null), "Scan");
    scanButton.addEventListener("click", () => busy(scanButton, () => browse.first()));
    fill(panel,
      h("section", { class: "card table-summary" },
        h("div", { class: "summary-head" },
          h("h3", { id: "table-name" }, table.TableName),
          h("span", { class: "muted" }, `${table.ItemCount ?? "?"} ${table.ItemCount === 1 ? "item" : "items"}`),
          table.TableStatus ? h("span", { class: "badge" }, table.TableStatus) : null),
        h("dl", { class: "facts facts-inline" },
          h("dt", null, "Partition key"), h("dd", null, keyLabel(keys.hash, table)),
          h("dt", null, "Sort key"), h("dd", null, keys.range ? keyLabel(keys.range, table) : h("span", { class: "muted" }, "none"))),
        indexes.length
          ? h("table", { class: "grid compact", id: "index-list" },
            h("thead", null, h("tr", null, ["Index", "Partition key", "Sort key", "Projection"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", null, indexes.map((index) => {
              const indexKeys = describeKeys(index);
              return h("tr", null,
                h("td", null, h("code", null, index.IndexName), h("span", { class: "muted small" }, ` ${index.kind}`)),
                h("td", null, keyLabel(indexKeys.hash, table)),
                h("td", null, indexKeys.range ? keyLabel(indexKeys.range, table) : h("span", { class: "muted" }, "—")),
                h("td", null, (index.Projection && index.Projection.ProjectionType) || "—"));
            })))
          : h("p", { class: "muted small" }, "No secondary indexes.")),
      queryForm(table, indexes),
      h("div", { class: "results-head" }, h("h3", null, "Items"), scanButton),
      results);
  }

  function queryForm(table, indexes) {
    const sourceId = uniqueId("query-source");
    const pkId = uniqueId("query-pk");
    const conditionId = uniqueId("query-condition");
    const source = h("select", { id: sourceId, name: "source" },
      h("option", { value: "" }, `table ${table.TableName}`),
      indexes.map((index) => h("option", { value: index.IndexName }, `index ${index.IndexName}`)));
    const pkLabel = h("label", { for: pkId });
    const pk = h("input", { id: pkId, name: "pk", autocomplete: "off", spellcheck: "false" });
    const conditionLabel = h("label", { for: conditionId });
    const condition = h("select", { id: conditionId, name: "condition" });
    const sk = h("input", { name: "sk", autocomplete: "off", spellcheck: "false", "aria-label": "Sort key value" });
    const sk2 = h("input", { name: "sk2", autocomplete: "off", spellcheck: "false", "aria-label": "Sort key upper value", hidden: true });
    const andWord = h("span", { class: "muted", hidden: true }, "and");
    const descending = h("input", { type: "checkbox", id: uniqueId("query-descending"), name: "descending" });
    const submit = h("button", { type: "submit", class: "button-primary", id: "query-submit" }, "Query");
    const error = h("div", { class: "form-errors" });

    const chosenKeys = () => describeKeys(source.value ? indexes.find((i) => i.IndexName === source.value) : table);
    const sync = () => {
      const keys = chosenKeys();
      fill(pkLabel, keys.hash, " ", h("span", { class: "muted" }, `(${attributeType(table, keys.hash)})`), " =");
      pk.placeholder = attributeType(table, keys.hash) === "N" ? "a number" : "a value";
      const hasRange = Boolean(keys.range);
      const rangeType = hasRange ? attributeType(table, keys.range) : "S";
      const before = condition.value;
      fill(condition, CONDITIONS
        .filter(([value]) => !(value === "begins_with" && rangeType !== "S"))
        .map(([value, label]) => h("option", { value, selected: value === before }, label)));
      fill(conditionLabel, hasRange ? keys.range : "sort key", " ", hasRange ? h("span", { class: "muted" }, `(${rangeType})`) : null);
      condition.disabled = !hasRange;
      if (!hasRange) condition.value = "";
      const operator = condition.value;
      sk.hidden = !operator;
      sk2.hidden = operator !== "between";
      andWord.hidden = operator !== "between";
    };
    source.addEventListener("change", sync);
    condition.addEventListener("change", sync);
    sync();

    const form = h("form", { class: "card query-form", id: "query-form", novalidate: true, "aria-labelledby": `${sourceId}-heading` },
      h("h3", { id: `${sourceId}-heading` }, "Query by key"),
      h("div", { class: "query-row" },
        h("div", { class: "field" }, h("label", { for: sourceId }, "On"), source),
        h("div", { class: "field" }, pkLabel, pk),
        h("div", { class: "field field-condition" }, conditionLabel, h("div", { class: "inline-inputs" }, condition, sk, andWord, sk2)),
        h("div", { class: "field field-submit" },
          h("span", { class: "checkbox" }, descending, h("label", { for: descending.id }, "Descending")),
          submit)),
      error);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, null);
      const keys = chosenKeys();
      let input;
      try {
        input = {
          TableName: table.TableName,
          ...(source.value ? { IndexName: source.value } : {}),
          ...keyCondition(table, keys, pk.value, condition.value, sk.value, sk2.value),
          ScanIndexForward: !descending.checked,
          Limit: PAGE_SIZE,
        };
      } catch (problem) {
        showError(error, problem);
        pk.focus();
        return;
      }
      browse = pager(results, (start) => dynamo("Query", { ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
        () => keyNames(table, source.value ? indexes.find((i) => i.IndexName === source.value) : null),
        `Query ${source.value || table.TableName}: ${keys.hash} = ${pk.value}`);
      await busy(submit, () => browse.first());
    });
    return form;
  }

  // ---- results, a page at a time ----

  /** Runs `fetchPage(startKey)` and shows its items; next and previous pages by LastEvaluatedKey. */
  function pager(area, fetchPage, columnsFirst, title) {
    const starts = [null];
    let index = 0;
    const self = {
      first() {
        index = 0;
        starts.length = 1;
        return showPage();
      },
    };
    async function showPage() {
      area.setAttribute("aria-busy", "true");
      try {
        const answer = await fetchPage(starts[index]);
        // A later browse or query has taken the results area over.
        if (browse !== self) return;
        starts.length = index + 1;
        if (answer.LastEvaluatedKey) starts.push(answer.LastEvaluatedKey);
        showError(frame.errors, null);
        fill(area, itemsView(answer, columnsFirst(), title, {
          page: index + 1,
          previous: index > 0 ? () => { index -= 1; return showPage(); } : null,
          next: answer.LastEvaluatedKey ? () => { index += 1; return showPage(); } : null,
        }));
        area.dataset.loaded = "true";
      } catch (error) {
        if (browse === self) showError(frame.errors, error);
      } finally {
        if (browse === self) area.setAttribute("aria-busy", "false");
      }
    }
    return self;
  }

  async function refresh(name) {
    try {
      await loading(frame.element, async () => {
        await loadNames();
      });
      showError(frame.errors, null);
    } catch (error) {
      showError(frame.errors, error);
      return;
    }
    renderNames();
    const wanted = name || state.chosen || state.names[0];
    if (wanted) await choose(wanted);
    else fill(panel, h("p", { class: "muted" }, "The simulator has no tables."));
  }

  return {
    element: frame.element,
    show(name) {
      if (!state.names.length) refresh(name);
      else if (name && name !== state.chosen) choose(name);
    },
    hide() {},
  };
}

function itemsView(answer, firstColumns, title, paging) {
  const items = (answer.Items || []).map(plainItem);
  const others = [...new Set(items.flatMap((item) => Object.keys(item)))].filter((name) => !firstColumns.includes(name)).sort();
  const columns = [...firstColumns, ...others];
  const previous = h("button", { type: "button", class: "button-small", id: "items-previous", disabled: !paging.previous }, "← Previous");
  const next = h("button", { type: "button", class: "button-small", id: "items-next", disabled: !paging.next }, "Next page →");
  if (paging.previous) previous.addEventListener("click", () => busy(previous, paging.previous));
  if (paging.next) next.addEventListener("click", () => busy(next, paging.next));
  const bar = h("div", { class: "pager" },
    h("span", { class: "pager-title" }, title),
    h("span", { class: "muted", id: "items-count" }, `page ${paging.page} · ${items.length} ${items.length === 1 ? "item" : "items"}${answer.ScannedCount !== undefined && answer.ScannedCount !== answer.Count ? ` of ${answer.ScannedCount} read` : ""}`),
    previous, next);
  if (!items.length) return [bar, h("p", { class: "muted empty" }, "No items.")];
  const body = h("tbody", null, items.flatMap((item) => itemRows(item, columns)));
  return [bar, h("div", { class: "table-scroll items-scroll" },
    h("table", { class: "grid items", id: "items-table" },
      h("thead", null, h("tr", null, h("th", { class: "expander-cell" }, h("span", { class: "visually-hidden" }, "Open")),
        columns.map((name, i) => h("th", { scope: "col", class: i < firstColumns.length ? "key-column" : null }, name)))),
      body))];
}

function itemRows(item, columns) {
  const detail = h("tr", { class: "item-json", hidden: true }, h("td", { colspan: String(columns.length + 1) }, h("pre", { class: "json" }, JSON.stringify(item, null, 2))));
  const toggle = h("button", { type: "button", class: "expander", "aria-expanded": "false", "aria-label": "Show the item's JSON" }, "▸");
  const row = h("tr", { class: "item-row" },
    h("td", { class: "expander-cell" }, toggle),
    columns.map((name) => h("td", { class: name in item ? null : "muted" }, name in item ? shortText(item[name]) : "")));
  const open = () => {
    const opening = detail.hidden;
    detail.hidden = !opening;
    toggle.setAttribute("aria-expanded", String(opening));
    toggle.textContent = opening ? "▾" : "▸";
    row.classList.toggle("open", opening);
  };
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    open();
  });
  row.addEventListener("click", () => {
    if (!window.getSelection().toString()) open();
  });
  return [row, detail];
}

/** { hash, range } attribute names of a KeySchema. */
function describeKeys(entity) {
  const schema = (entity && entity.KeySchema) || [];
  return {
    hash: (schema.find((k) => k.KeyType === "HASH") || {}).AttributeName,
    range: (schema.find((k) => k.KeyType === "RANGE") || {}).AttributeName,
  };
}

/** The columns shown first: the table's keys, then the index's. */
function keyNames(table, index) {
  const tableKeys = describeKeys(table);
  const indexKeys = index ? describeKeys(index) : {};
  const names = index ? [indexKeys.hash, indexKeys.range, tableKeys.hash, tableKeys.range] : [tableKeys.hash, tableKeys.range];
  return [...new Set(names.filter(Boolean))];
}

function attributeType(table, name) {
  const definition = (table.AttributeDefinitions || []).find((d) => d.AttributeName === name);
  return definition ? definition.AttributeType : "S";
}

function keyLabel(name, table) {
  return [h("code", null, name), h("span", { class: "muted" }, ` ${attributeType(table, name)}`)];
}

/** A value typed by its attribute definition: {"S": "x"}, {"N": "1"} or {"B": "base64"}. */
function typed(table, name, text, what) {
  const type = attributeType(table, name);
  if (text === "") throw new Error(`Enter ${what} (${name}).`);
  if (type === "N") {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) throw new Error(`${name} is a number; "${text}" is not.`);
    return { N: text.trim() };
  }
  return { [type]: text };
}

function keyCondition(table, keys, pkText, operator, skText, sk2Text) {
  const names = { "#pk": keys.hash };
  const values = { ":pk": typed(table, keys.hash, pkText, "the partition key's value") };
  let expression = "#pk = :pk";
  if (operator && keys.range) {
    names["#sk"] = keys.range;
    values[":sk"] = typed(table, keys.range, skText, "the sort key's value");
    if (operator === "begins_with") expression += " AND begins_with(#sk, :sk)";
    else if (operator === "between") {
      values[":sk2"] = typed(table, keys.range, sk2Text, "the sort key's upper value");
      expression += " AND #sk BETWEEN :sk AND :sk2";
    } else expression += ` AND #sk ${operator} :sk`;
  }
  return { KeyConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
