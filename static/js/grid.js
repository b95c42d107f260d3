// The budget grid works without this file (every cell is a form; a question about a number slip has its
// buttons). It adds the keys to answer a question and the pasting of a block of cells.
//
// Number slips (budgets/slips.py): a cell or the paste dialog asks in an element marked [data-slip], with
// buttons [data-slip-choice="suggested"] and [data-slip-choice="typed"] and a [data-slip-cancel] link.
// Any amount cell that renders the grid's `slip` partial gets the same keys:
//   Enter        takes the suggested reading (the typed amount when there is no suggestion),
//   Shift+Enter  keeps the typed amount,
//   Escape       cancels: the cell as it is saved, nothing written.
// A question that comes back after Tab takes the focus back to its cell: nothing was saved yet.
//
// Moving like a spreadsheet (a cell without a question): ↑ ↓ to the same column's cell in the row above or
// below, ← → at the start or end of the text to the row's previous or next cell, Enter saves and moves down
// (Shift+Enter up), Escape puts back the saved value (nothing is posted). A move saves the cell it leaves
// (its form posts on change), as Tab does.
//
// Pasting: text with tabs or line breaks pasted into a line's cell fills the cells to the right and below
// (rows with typed cells, in the grid's order) and posts them as one block to the table's data-paste-url;
// the server saves all or nothing, or asks once in the #grid-paste dialog.
//
// Row actions: each line's (and group's) actions are a WAI-ARIA menu button ([data-row-menu]: a hidden
// button, shown here with a role=menu list built from the page's one #row-menu-items template; without
// JavaScript the <details> beside it holds the same actions as plain forms, and stays in use for "Ändra"). A line's button is no tab stop: Shift+F10 or the
// context-menu key in one of the row's cells opens its menu, so Tab goes from cell to cell. In the menu
// ↑ ↓ Home End move, Enter or Space chooses, Escape (or Tab) closes it and puts the focus back where it was
// opened from. A move keeps the focus in the cell it was opened from.
//
// Undo: Ctrl+Z (⌘Z), when not in the middle of editing a cell's text (that is the browser's own undo),
// presses the #grid-undo button, which says what it undoes (budgets/services/undo.py).
(function () {
  "use strict";

  let refocus = null; // the id of the input to focus once htmx has swapped its cell in

  function choice(region, name) {
    return region.querySelector('[data-slip-choice="' + name + '"]');
  }

  function questionOf(element) {
    if (!element || !element.closest) {
      return null;
    }
    const dialog = element.closest("#grid-paste");
    if (dialog) {
      return dialog.querySelector("[data-slip]");
    }
    const form = element.closest("form");
    return form ? form.querySelector("[data-slip]") : null;
  }

  function closePaste(dialog) {
    if (dialog.open) {
      dialog.close();
    }
    dialog.replaceChildren();
    if (refocus) {
      const input = document.getElementById(refocus);
      refocus = null;
      if (input) {
        input.focus();
      }
    }
  }

  function cancel(region, source) {
    const dialog = region.closest("#grid-paste");
    if (dialog) {
      closePaste(dialog);
      return;
    }
    const input = source.closest("form").querySelector(".grid-input");
    refocus = input ? input.id : null;
    region.querySelector("[data-slip-cancel]").click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== "Escape") {
      return;
    }
    const region = questionOf(event.target);
    if (!region || event.isComposing) {
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      cancel(region, event.target);
      return;
    }
    if (event.target.matches("a, button") && !event.shiftKey) {
      return; // Enter on a link or button does what it says
    }
    const button = event.shiftKey
      ? choice(region, "typed")
      : choice(region, "suggested") || choice(region, "typed");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  function neighbour(input, rows, columns) {
    const cell = input.closest("td");
    const row = cell ? cell.closest("tr") : null;
    if (!row) {
      return null;
    }
    if (columns) {
      const inputs = Array.from(row.querySelectorAll(".grid-input"));
      return inputs[inputs.indexOf(input) + columns] || null;
    }
    const all = Array.from(row.closest("table").rows);
    for (let index = all.indexOf(row) + rows; index >= 0 && index < all.length; index += rows) {
      const other = all[index].cells[cell.cellIndex];
      const target = other ? other.querySelector(".grid-input") : null;
      if (target) {
        return target;
      }
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("grid-input") || !input.closest("#budget-grid")) {
      return;
    }
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey || questionOf(input)) {
      return; // a question is answered with its own keys (above)
    }
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    let target = null;
    if (event.key === "Escape") {
      event.preventDefault();
      input.value = input.defaultValue;
      return;
    } else if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
      target = neighbour(input, 1, 0);
    } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
      target = neighbour(input, -1, 0);
    } else if (event.key === "ArrowRight" && atEnd) {
      target = neighbour(input, 0, 1);
    } else if (event.key === "ArrowLeft" && atStart) {
      target = neighbour(input, 0, -1);
    } else {
      return;
    }
    if (target) {
      event.preventDefault();
      target.focus();
      target.select();
    } else if (event.key === "Enter") {
      event.preventDefault();
      input.form.requestSubmit(); // the last row: save where it is
    }
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest ? event.target.closest("[data-slip-cancel]") : null;
    if (!link) {
      return;
    }
    const region = link.closest("[data-slip]");
    if (region && region.closest("#grid-paste")) {
      event.preventDefault();
      closePaste(region.closest("#grid-paste"));
    } else if (region) {
      const input = link.closest("form").querySelector(".grid-input");
      refocus = input ? input.id : null;
    }
  });

  document.addEventListener("cancel", function (event) {
    // Escape on the dialog itself (the browser's own close): the same as "Avbryt".
    if (event.target.id === "grid-paste") {
      event.preventDefault();
      closePaste(event.target);
    }
  }, true);

  document.addEventListener("htmx:load", function (event) {
    const element = event.detail.elt;
    if (!element || !element.querySelector) {
      return;
    }
    enhanceMenus(element); // before the focus goes back: a row menu's button is hidden until then
    if (refocus) {
      const input = element.id === refocus ? element : element.querySelector("#" + CSS.escape(refocus));
      if (input) {
        refocus = null;
        input.focus();
        return;
      }
    }
    const question = element.matches("td") ? element.querySelector("[data-slip]") : null;
    if (question) {
      const input = element.querySelector(".grid-input");
      if (input && document.activeElement !== input) {
        input.focus();
      }
    }
  });

  // After the settle, when htmx has wired up the dialog's form: a key pressed at once must not submit it
  // without htmx.
  document.addEventListener("htmx:afterSettle", function (event) {
    const dialog = event.detail.target;
    if (dialog && dialog.id === "grid-paste" && dialog.querySelector("[data-slip]") && !dialog.open) {
      dialog.showModal();
    }
  });

  // --- Row menus ----------------------------------------------------------------------------------

  let menuReturn = null; // where the focus goes back to when the open menu closes

  function enhanceMenus(root) {
    root.querySelectorAll("[data-row-menu]").forEach(function (container) {
      const button = container.querySelector(".row-menu__button");
      const summary = container.querySelector("details.grid-menu > summary");
      if (!button || container.classList.contains("row-menu--enhanced")) {
        return;
      }
      if (!buildMenu(button)) {
        return; // no items to build it from: the <details> stays the way to the actions
      }
      container.classList.add("row-menu--enhanced");
      button.hidden = false;
      if (summary) {
        summary.tabIndex = -1; // the menu's "Ändra…" opens the details
      }
    });
  }

  // A row's menu list, built beside its button from the page's #row-menu-items template (rendered once,
  // not per row): each item names the action it clicks (`up`, `down`, `remove`) or opens (`name`), here
  // made the row's own ids (`<prefix>-<pk>-up`...).
  function buildMenu(button) {
    const template = document.getElementById("row-menu-items");
    if (!template) {
      return false;
    }
    const base = button.id.replace(/-menu$/, "");
    const list = document.createElement("ul");
    list.className = "row-menu__list";
    list.setAttribute("role", "menu");
    list.id = button.getAttribute("aria-controls");
    list.setAttribute("aria-labelledby", button.id);
    list.hidden = true;
    list.appendChild(template.content.cloneNode(true));
    list.querySelectorAll("[data-menu-click], [data-menu-open]").forEach(function (item) {
      if (item.dataset.menuClick) {
        item.dataset.menuClick = base + "-" + item.dataset.menuClick;
      } else {
        item.dataset.menuOpen = base + "-" + item.dataset.menuOpen;
      }
      if (item.dataset.menuClick === base + "-remove") {
        item.textContent = button.dataset.removeLabel;
      }
    });
    button.after(list);
    return true;
  }

  function menuList(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function menuItems(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="menuitem"]'));
  }

  function closeMenu(list, restore) {
    if (!list || list.hidden) {
      return;
    }
    list.hidden = true;
    const button = document.getElementById(list.getAttribute("aria-labelledby"));
    if (button) {
      button.setAttribute("aria-expanded", "false");
    }
    const target = menuReturn;
    menuReturn = null;
    if (restore && target && document.contains(target)) {
      target.focus();
    }
  }

  function openMenu(button, last, returnTo) {
    document.querySelectorAll('.row-menu__list[role="menu"]:not([hidden])').forEach(function (open) {
      closeMenu(open, false);
    });
    const list = menuList(button);
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    menuReturn = returnTo || button;
    const items = menuItems(list);
    items[last ? items.length - 1 : 0].focus();
  }

  function choose(item) {
    const list = item.closest('[role="menu"]');
    const from = menuReturn;
    closeMenu(list, false);
    if (item.dataset.menuClick) {
      const action = document.getElementById(item.dataset.menuClick);
      refocus = from && from.id ? from.id : null; // back where the menu was opened from, after the swap
      if (action) {
        action.click();
      }
    } else if (item.dataset.menuOpen) {
      const field = document.getElementById(item.dataset.menuOpen);
      const details = field ? field.closest("details") : null;
      if (details) {
        details.open = true;
        details.dataset.returnTo = from && from.id ? from.id : "";
        field.focus();
        field.select();
      }
    }
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : null;
    const button = target ? target.closest(".row-menu__button") : null;
    const item = target ? target.closest('.row-menu__list [role="menuitem"]') : null;
    if (button) {
      const list = menuList(button);
      if (list.hidden) {
        openMenu(button, false, document.activeElement === button ? button : menuReturn || button);
      } else {
        closeMenu(list, true);
      }
    } else if (item) {
      choose(item);
    } else {
      document.querySelectorAll('.row-menu__list[role="menu"]:not([hidden])').forEach(function (open) {
        closeMenu(open, false);
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (!target.closest || event.isComposing) {
      return;
    }
    // From a cell of the row: Shift+F10 or the context-menu key opens the row's menu.
    if ((event.key === "F10" && event.shiftKey) || event.key === "ContextMenu") {
      const row = target.matches(".grid-input") ? target.closest("tr") : null;
      const button = row ? row.querySelector("[data-row-menu] .row-menu__button") : null;
      if (button && !button.hidden) {
        event.preventDefault();
        openMenu(button, false, target);
      }
      return;
    }
    if (target.matches(".row-menu__button") && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      openMenu(target, event.key === "ArrowUp", target);
      return;
    }
    const details = target.closest(".row-menu--enhanced details[open]");
    if (details && event.key === "Escape" && !questionOf(target)) {
      event.preventDefault();
      details.open = false;
      const back = document.getElementById(details.dataset.returnTo || "");
      (back || details.closest("[data-row-menu]").querySelector(".row-menu__button")).focus();
      return;
    }
    if (!target.matches('.row-menu__list [role="menuitem"]')) {
      return;
    }
    const list = target.closest('[role="menu"]');
    const items = menuItems(list);
    const index = items.indexOf(target);
    let next = null;
    if (event.key === "ArrowDown") {
      next = items[(index + 1) % items.length];
    } else if (event.key === "ArrowUp") {
      next = items[(index - 1 + items.length) % items.length];
    } else if (event.key === "Home") {
      next = items[0];
    } else if (event.key === "End") {
      next = items[items.length - 1];
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      closeMenu(list, true);
      return;
    } else {
      return; // Enter and Space click the item (a button)
    }
    event.preventDefault();
    next.focus();
  });

  enhanceMenus(document); // and each swapped-in part (the htmx:load listener above)

  // --- Undo -----------------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.isComposing) {
      return;
    }
    if (event.key !== "z" && event.key !== "Z") {
      return;
    }
    const target = event.target;
    if (target.matches && target.matches("input, textarea, select, [contenteditable]")) {
      const edited = !target.classList.contains("grid-input") || target.value !== target.defaultValue;
      if (edited || questionOf(target)) {
        return; // the browser's own undo of the text being edited
      }
    }
    const button = document.querySelector('#grid-undo button[type="submit"]:not([disabled])');
    if (!button) {
      return;
    }
    event.preventDefault();
    refocus = target.id && target.classList && target.classList.contains("grid-input") ? target.id : null;
    button.click();
  });

  // --- Pasting a block -----------------------------------------------------------------------------

  function block(text) {
    const rows = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
    return rows.map(function (row) {
      return row.split("\t");
    });
  }

  function lineRows(table) {
    return Array.prototype.filter.call(table.querySelectorAll("tbody.grid-lines > tr"), function (row) {
      return row.querySelector("td.grid-cell .grid-input");
    });
  }

  function rowInputs(row) {
    return Array.prototype.slice.call(row.querySelectorAll("td.grid-cell .grid-input"));
  }

  document.addEventListener("paste", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("tbody.grid-lines td.grid-cell .grid-input")) {
      return;
    }
    const table = input.closest("table[data-paste-url]");
    const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    const values = block(text);
    if (!table || (values.length === 1 && values[0].length === 1)) {
      return; // one value: the input's own paste
    }
    event.preventDefault();
    const rows = lineRows(table);
    const first = rows.indexOf(input.closest("tr"));
    const column = rowInputs(input.closest("tr")).indexOf(input);
    const fields = { cell: [] };
    let skipped = 0;
    values.forEach(function (cells, r) {
      const row = rows[first + r];
      const inputs = row ? rowInputs(row) : [];
      cells.forEach(function (value, c) {
        const target = inputs[column + c];
        if (!target) {
          skipped += 1;
          return;
        }
        fields.cell.push(target.id);
        fields["amount-" + target.id] = value.trim();
        fields["version-" + target.id] = target.form.elements.version.value;
      });
    });
    fields.skipped = String(skipped);
    refocus = input.id;
    htmx.ajax("POST", table.dataset.pasteUrl, {
      source: table,
      target: "#budget-editor",
      swap: "outerHTML",
      values: fields,
    });
  });
})();
