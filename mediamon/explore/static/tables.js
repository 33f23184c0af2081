// mediamon: make the marked static tables of a report sortable and searchable (DataTables).
// The DataTables bundle (itables' offline build) is below as base64 and is imported from a blob:
// URL made here, so its text never meets the HTML parser and nothing is fetched. DataTables uses
// the table already in the page: the escaped cells are kept as they are, never re-parsed.
(function () {
  "use strict";
  if (document.readyState === "loading") {  // injected in <head>: wait for the tables
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  function start() {
  var tables = Array.prototype.filter.call(document.querySelectorAll("__MM_SELECTOR__"), function (t) {
    return t.tHead && t.tBodies.length && t.tBodies[0].rows.length >= 2 && !t.classList.contains("dataTable");
  });
  if (!tables.length) return;
  var binary = atob("__MM_BUNDLE_B64__");
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  var url = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));

  function enhance(DataTable, table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var left = heads.findIndex(function (th) { return th.classList.contains("mm-left"); });
    if (left >= 0) {
      // AntConc: the left context sorts by its last word, then the one before (1L, 2L, ...)
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var cell = row.cells[left];
        if (cell) cell.setAttribute("data-order", cell.textContent.trim().split(/\s+/).reverse().join(" ").toLowerCase());
      });
    }
    var n = table.tBodies[0].rows.length;
    new DataTable(table, {
      order: [],            // keep the report's order until a header is clicked
      paging: n > 25,
      pageLength: 25,
      lengthChange: n > 25,
      info: n > 25,
      searching: true,
      autoWidth: false,
    });
    table.setAttribute("data-mm-enhanced", "true");
  }

  import(url).then(function (module) {
    URL.revokeObjectURL(url);
    var DataTable = module.default;
    tables.forEach(function (table) {
      try { enhance(DataTable, table); } catch (err) { console.error("mediamon tables:", err); }
    });
    document.documentElement.setAttribute("data-mm-tables", String(tables.length));
  }).catch(function (err) {
    console.error("mediamon tables: the DataTables bundle did not load; the tables stay static.", err);
  });
  }
})();
