// Inspection record pages: draft autosave (server + this device), signature pads, one-click submits.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  // --- submit once: the second click of a double submit sends nothing ---
  function guardSubmit(form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      var btn = event.submitter;
      if (btn && btn.name) {  // a disabled button is not submitted: carry its value in a hidden field
        var carry = document.createElement("input");
        carry.type = "hidden"; carry.name = btn.name; carry.value = btn.value;
        form.appendChild(carry);
      }
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }
  document.querySelectorAll("form[data-once], form.sign-form, #record-form").forEach(guardSubmit);

  // --- draft autosave ---
  var form = document.getElementById("record-form");
  var status = document.getElementById("autosave-status");
  var saveDraft = function () { return Promise.resolve(); };
  if (form) {
    var key = "inspection-draft-" + form.dataset.record;
    var revision = form.querySelector("input[name=revision]");
    var timer = null, inFlight = null;

    var fields = function () {
      var data = {};
      new FormData(form).forEach(function (v, k) { if (k !== "csrfmiddlewaretoken") data[k] = v; });
      return data;
    };
    var show = function (text, bad) { status.textContent = text; status.classList.toggle("bad", !!bad); };
    var now = function () { return new Date().toLocaleTimeString("zh-CN", { hour12: false }); };

    // Restore a draft kept on this device that the server never received (lost connection).
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && String(kept.revision) === revision.value) {
        Object.keys(kept.data).forEach(function (name) {
          form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
            if (el.type === "radio") el.checked = el.value === kept.data[name];
            else if (el.type !== "file" && el.type !== "hidden") el.value = kept.data[name];
          });
        });
        show("已恢复本机保存、尚未上传的草稿（" + kept.at + "），正在上传…");
        timer = setTimeout(function () { saveDraft(); }, 300);
      }
    } catch (e) { localStorage.removeItem(key); }

    saveDraft = function () {
      clearTimeout(timer);
      if (inFlight) return inFlight;
      localStorage.setItem(key, JSON.stringify({ revision: revision.value, at: now(), data: fields() }));
      var body = new FormData(form);
      inFlight = fetch(form.dataset.draftUrl, { method: "POST", body: body, credentials: "same-origin",
                                                headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); })
        .then(function (res) {
          if (res.json.ok) {
            revision.value = res.json.revision;
            localStorage.removeItem(key);
            markItems({});
            show("草稿已自动保存 " + now());
          } else {
            var errs = res.json.errors || {};
            show(Object.keys(errs).map(function (k) { return errs[k]; }).join(" "), true);
            markItems(errs);
          }
        })
        .catch(function () { show("网络中断：草稿已保存在本机，恢复联网后自动上传。", true); })
        .finally(function () { inFlight = null; });
      return inFlight;
    };
    // An answer refused by the server (e.g. against its conclusion) is marked at its item, as a full submit shows it.
    var markItems = function (errs) {
      form.querySelectorAll(".item-card .errorlist.live").forEach(function (el) { el.remove(); });
      Object.keys(errs).forEach(function (key) {
        var card = key.indexOf("item-") === 0 && document.getElementById(key);
        if (!card) return;
        var list = document.createElement("ul");
        list.className = "errorlist live";
        var li = document.createElement("li");
        li.textContent = errs[key];
        list.appendChild(li);
        card.querySelector("h3").after(list);
      });
    };
    var schedule = function () { clearTimeout(timer); timer = setTimeout(saveDraft, 1500); show("有未保存的修改…"); };
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    window.addEventListener("online", function () { if (localStorage.getItem(key)) saveDraft(); });
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  }

  // --- dispatch: offer only the checklists that serve the chosen kind (the server refuses any other) ---
  var kind = document.getElementById("id_kind"), version = document.getElementById("id_template_version");
  if (kind && version) {
    var offer = function () {
      var visible = [];
      Array.prototype.forEach.call(version.options, function (option) {
        if (!option.value) return;
        var serves = (option.dataset.kinds || "").split(" ").indexOf(kind.value) >= 0;
        option.hidden = option.disabled = !serves;
        if (serves) visible.push(option);
      });
      if (version.selectedOptions.length && version.selectedOptions[0].disabled) version.value = "";
      if (!version.value && visible.length) version.value = visible[0].value;
    };
    kind.addEventListener("change", offer);
    offer();
  }

  // --- progress: how many items have their required answers ---
  var progress = document.getElementById("fill-progress");
  if (progress) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".item-card")).filter(function (card) {
      return card.querySelector("input[type=radio]");
    });
    var count = function () {
      var done = cards.filter(function (card) {
        if (card.querySelector("fieldset.conclusion input[value='不适用']:checked")) return true;  // needs no answer
        return Array.prototype.every.call(card.querySelectorAll("fieldset.choices"), function (set) {
          return set.querySelector("input:checked");
        });
      }).length;
      progress.textContent = "已填 " + done + " / " + cards.length + " 项";
      progress.classList.toggle("ok", done === cards.length);
    };
    count();
    document.addEventListener("change", count);
  }

  // --- photo / PDF upload: save the draft first so nothing typed is lost by the page reload ---
  document.querySelectorAll("input[type=file][data-autosubmit]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      var target = input.form;
      var next = document.createElement("input");
      next.type = "hidden"; next.name = "next"; next.value = window.location.pathname;
      target.appendChild(next);
      // The file input lives in the record form's markup but belongs to the upload form (form= attribute).
      saveDraft().then(function () { target.submit(); });
    });
  });

  // --- signature pads ---
  document.querySelectorAll("canvas.sigpad").forEach(function (canvas) {
    var ctx = canvas.getContext("2d"), drawing = false, drawn = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    var point = function (e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    };
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    var sigForm = canvas.closest("form");
    sigForm.querySelector("[data-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
    });
    sigForm.addEventListener("submit", function (e) {
      if (!drawn) { e.preventDefault(); delete sigForm.dataset.sent; alert("请先在签名框内手写签名。"); return; }
      sigForm.querySelector("input[name=image]").value = canvas.toDataURL("image/png");
    }, true);
  });
})();
