// Starts GraphiQL on the page served at /graphql (hardening/graphiql.py).
// The Headers pane is open, so a user can paste {"Authorization": "Bearer <token>"}.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  if (typeof GraphiQL === "undefined" || typeof React === "undefined" || typeof ReactDOM === "undefined") {
    root.textContent = "GraphiQL's assets are not installed on this server: run `make assets`.";
    return;
  }
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute("data-endpoint") || "/graphql" });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
