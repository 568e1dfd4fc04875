// The network view of a case: cytoscape.js (vendored) drawing the graph
// served by /app/cases/{id}/graph.json.
(function () {
  "use strict";
  var el = document.getElementById("graph");
  if (!el || typeof cytoscape !== "function") { return; }
  var colours = { "case": "#17324a", report: "#1f5f8b", place: "#b3261e", subject: "#8a4b00", identifier: "#6b3fa0", hidden: "#8a8a8a" };
  fetch(el.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (g) {
      var cy = cytoscape({
        container: el,
        elements: { nodes: g.nodes, edges: g.edges },
        // Spread out: the default repulsion packs a case's few dozen nodes so
        // tightly that their labels overlap once the graph is fitted.
        layout: { name: "cose", animate: false, padding: 30, randomize: false, numIter: 2000,
          nodeRepulsion: function () { return 600000; }, idealEdgeLength: function () { return 110; },
          nodeOverlap: 40, componentSpacing: 120, gravity: 40 },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 140,
            "text-valign": "bottom", "text-margin-y": 4, "width": 22, "height": 22,
            "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
            "background-color": function (n) { return colours[n.data("kind")] || "#555"; } } },
          { selector: "node[kind = 'case']", style: { "shape": "round-rectangle", "width": 34, "height": 34 } },
          { selector: "node[kind = 'place']", style: { "shape": "diamond" } },
          { selector: "node[kind = 'identifier']", style: { "shape": "hexagon" } },
          // The reports the viewer may not open: a count, nothing to open.
          { selector: "node[kind = 'hidden']", style: { "shape": "ellipse", "border-width": 2, "border-style": "dashed",
            "border-color": "#555555", "background-opacity": 0.5, "color": "#333333" } },
          // An edge's role (recruiter, payment …) shows while the pointer is
          // on it or on one of its ends, not all at once.
          { selector: "edge", style: { "width": 1.5, "line-color": "#9a9a9a", "curve-style": "bezier" } },
          { selector: "edge.show", style: { "label": "data(label)", "font-size": 10, "color": "#333333",
            "text-background-color": "#ffffff", "text-background-opacity": 0.9, "line-color": "#555555", "width": 2.5 } }
        ]
      });
      // On a phone the whole network fitted is too small to read: show
      // the case at a readable size instead; the rest is a drag away, and
      // the lists below the drawing name it.
      if (cy.zoom() < 0.6) {
        cy.zoom(0.6);
        cy.center(cy.nodes("[kind = 'case']").first());
      }
      // A report, case or identifier opens its page on a click.
      cy.on("mouseover", "node", function (ev) {
        ev.target.connectedEdges().addClass("show");
        if (ev.target.data("url")) { el.style.cursor = "pointer"; }
      });
      cy.on("mouseout", "node", function (ev) { ev.target.connectedEdges().removeClass("show"); el.style.cursor = ""; });
      cy.on("mouseover", "edge", function (ev) { ev.target.addClass("show"); });
      cy.on("mouseout", "edge", function (ev) { ev.target.removeClass("show"); });
      cy.on("tap", "node", function (ev) {
        var u = ev.target.data("url");
        if (u) { location.href = u; }
      });
      el.setAttribute("data-ready", "true");
    })
    .catch(function () { el.textContent = "—"; });
})();
