// Progressive enhancement only: every page works without this file.
"use strict";

// A form with data-confirm asks before it is sent (cancelling, refunding...).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // One submit per form: a second click while the first is on its way does nothing.
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
});

// Live validation: a form with data-validate-url posts its fields there as the user
// types (debounced) and shows the errors it answers next to each field.
document.querySelectorAll("form[data-validate-url]").forEach((form) => {
  let timer = null;
  const url = form.getAttribute("data-validate-url");
  const token = form.querySelector("input[name=csrf_token]");
  const check = async () => {
    const body = new FormData(form);
    const response = await fetch(url, {
      method: "POST", body, headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const answer = await response.json();
    form.querySelectorAll("[data-live-error]").forEach((node) => node.remove());
    form.querySelectorAll("[aria-invalid=true][data-live]").forEach((node) => {
      node.removeAttribute("aria-invalid"); node.removeAttribute("data-live");
    });
    const summary = form.querySelector("[data-live-summary]");
    if (summary) summary.textContent = answer.summary || "";
    Object.entries(answer.errors || {}).forEach(([name, messages]) => {
      const field = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!field) return;
      field.setAttribute("aria-invalid", "true"); field.setAttribute("data-live", "1");
      const note = document.createElement("p");
      note.className = "field-error"; note.setAttribute("data-live-error", "1");
      note.id = `${field.id}-live-error`; note.textContent = messages.join(" ");
      field.setAttribute("aria-describedby", note.id);
      field.insertAdjacentElement("afterend", note);
    });
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 350); });
});

// Add another participant row to a team form (the server accepts any number of rows).
document.querySelectorAll("[data-add-row]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    const table = document.getElementById(button.getAttribute("data-add-row"));
    const template = table.querySelector("template");
    const index = table.querySelectorAll("tbody tr").length;
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name]").forEach((input) => { input.name = input.name.replace("__i__", index); });
    row.querySelectorAll("[id]").forEach((node) => { node.id = node.id.replace("__i__", index); });
    row.querySelectorAll("[for]").forEach((node) => { node.htmlFor = node.htmlFor.replace("__i__", index); });
    table.querySelector("tbody").appendChild(row);
    row.querySelector("input")?.focus();
  });
});
