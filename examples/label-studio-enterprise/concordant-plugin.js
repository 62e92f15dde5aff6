// Concordant before Submit: a Label Studio Enterprise plugin (project Settings → Plugins).
// On every save it sends the task with the annotation being saved to `concordant serve`'s
// /validate; when a finding is an error it shows the messages, selects the first offending
// region and blocks the save. Warnings are shown and the save goes on. If the server cannot
// be reached, the save goes on (a validator that is down must not stop annotators).
//
// Set the two constants: the server's URL, and a token made for this use only (the plugin's
// code is visible to every annotator of the project).
const CONCORDANT_URL = "http://127.0.0.1:8750/validate";
const CONCORDANT_TOKEN = "replace-with-a-token-for-this-plugin";

/** The task as /validate takes it: its data and the annotation being saved. */
function concordantBody(task, annotation) {
  return {
    id: task.id,
    data: task.data,
    annotations: [{ id: annotation.pk ?? annotation.id ?? "draft", result: annotation.serializeAnnotation() }],
  };
}

/** Messages as lines, errors first: "rule: message". */
function concordantLines(answer) {
  const all = [...(answer["global-errors"] || [])];
  for (const messages of Object.values(answer["per-result-errors"] || {})) all.push(...messages);
  const order = { error: 0, warning: 1, info: 2 };
  all.sort((a, b) => order[a.severity] - order[b.severity]);
  return [...new Set(all.map((m) => `${m.severity}: ${m.rule}: ${m.message}`))];
}

/** Checks before a save; resolves to false (blocked) when an error was found. */
async function concordantBeforeSave(LSI, Htx, fetchImpl, annotation) {
  let answer;
  try {
    const response = await fetchImpl(CONCORDANT_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${CONCORDANT_TOKEN}` },
      body: JSON.stringify(concordantBody(LSI.task, annotation)),
    });
    if (!response.ok) return true;
    answer = await response.json();
  } catch (e) {
    return true;
  }
  const lines = concordantLines(answer);
  if (lines.length === 0) return true;
  const perResult = answer["per-result-errors"] || {};
  const blocking = [...(answer["global-errors"] || []), ...Object.values(perResult).flat()]
    .some((m) => m.severity === "error");
  const offending = Object.keys(perResult);
  const region = (annotation.regions || []).find((r) => offending.includes(r.cleanId ?? r.id));
  if (region && annotation.selectArea) annotation.selectArea(region);
  Htx.showModal(lines.join("\n"), blocking ? "error" : "warning");
  return !blocking;
}

if (typeof LSI !== "undefined") {
  LSI.on("beforeSaveAnnotation", (store, annotation) =>
    concordantBeforeSave(LSI, Htx, fetch, annotation));
}
