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

// Drag and drop reordering, for the mouse: a row is dragged by its handle and dropped on another row
// of the same list; the move is the same request as the "Flytta upp/ner" buttons (which stay the way
// to reorder from the keyboard), with the place instead of a direction.
(function () {
  "use strict";

  let dragged = null;

  function rowOf(element) {
    return element && element.closest ? element.closest("li.part") : null;
  }

  function dropTarget(event) {
    // The row under the pointer, or the row around it that sits in the dragged row's list.
    let row = rowOf(event.target);
    while (row && dragged && row.parentElement !== dragged.row.parentElement) {
      row = rowOf(row.parentElement);
    }
    return row && dragged && row !== dragged.row ? row : null;
  }

  function clearTargets() {
    document.querySelectorAll(".part--drop-target").forEach(function (row) {
      row.classList.remove("part--drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    const handle = event.target.closest ? event.target.closest(".part__handle") : null;
    const row = rowOf(handle);
    if (!handle || !row) {
      return;
    }
    dragged = { row: row, url: handle.dataset.moveUrl, listId: handle.dataset.listId };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.id);
    event.dataTransfer.setDragImage(row, 20, 20);
    row.classList.add("part--dragging");
  });

  document.addEventListener("dragover", function (event) {
    const row = dropTarget(event);
    if (!row) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearTargets();
    row.classList.add("part--drop-target");
  });

  document.addEventListener("drop", function (event) {
    const row = dropTarget(event);
    if (!row) {
      return;
    }
    event.preventDefault();
    const rows = Array.prototype.filter.call(row.parentElement.children, function (child) {
      return child.matches("li.part");
    });
    htmx.ajax("POST", dragged.url, {
      source: dragged.row,
      target: "#" + dragged.listId,
      swap: "outerHTML",
      values: { to: String(rows.indexOf(row)) },
    });
  });

  document.addEventListener("dragend", function () {
    clearTargets();
    if (dragged) {
      dragged.row.classList.remove("part--dragging");
    }
    dragged = null;
  });
})();
