// The plan editor works without this file. It only makes failed HTMX requests visible: htmx does not
// swap a 403, 404 or 500 into the page, so without it a refused save would look like nothing happened.
// The texts come from the page (translated there), and go into the aria-live #messages region.
(function () {
  "use strict";

  function texts() {
    const element = document.getElementById("editor-texts");
    return element ? element.dataset : {};
  }

  function announce(text) {
    const region = document.getElementById("messages");
    if (!region || !text) {
      return;
    }
    const message = document.createElement("p");
    message.className = "message message--error";
    message.textContent = text;
    region.replaceChildren(message);
  }

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const t = texts();
    if (status === 403) {
      announce(t.forbidden);
    } else if (status === 404) {
      announce(t.missing);
    } else {
      announce(t.failed);
    }
  });

  document.addEventListener("htmx:sendError", function () {
    announce(texts().offline);
  });
})();
