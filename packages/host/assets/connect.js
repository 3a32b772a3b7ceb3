// Progressive feedback on the connect form: each field is checked by the host (the
// connector's own normalizers, POST /connect/validate) when it loses focus, and the
// normalized value is shown before the merchant leaves for the provider. Without this
// script the form still works: the host validates on submit and re-renders with errors.
(function () {
  "use strict";
  var form = document.getElementById("connect-form");
  if (!form) return;
  var validateUrl = form.getAttribute("data-validate-url");

  function fieldsOf() {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-setting]"), function (input) {
      if (input.value !== "" && input.getAttribute("data-masked") !== "true") out[input.name] = input.value;
    });
    return out;
  }

  function show(name, problem, normalized) {
    var input = form.querySelector('[name="' + name + '"]');
    var box = document.getElementById("feedback-" + name);
    if (!input || !box) return;
    box.textContent = problem || (normalized && normalized !== input.value ? "Will connect " + normalized : "");
    box.className = problem ? "field-error" : "field-ok";
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  }

  function check(name) {
    var body = JSON.stringify({ connector: form.elements.connector.value, settings: fieldsOf() });
    return fetch(validateUrl, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, credentials: "same-origin", body: body })
      .then(function (res) { return res.json(); })
      .then(function (answer) {
        var problems = {};
        (answer.problems || []).forEach(function (p) { problems[p.setting] = p.message; });
        if (name) show(name, problems[name], (answer.settings || {})[name]);
        return answer;
      })
      .catch(function () { return null; });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-setting]"), function (input) {
    if (input.getAttribute("data-masked") === "true") return;
    input.addEventListener("blur", function () { if (input.value !== "") check(input.name); });
  });
})();
